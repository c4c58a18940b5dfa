"""The service layer: the only caller of storage, extraction, search and handouts.

Web pages, the JSON API and the CLI are thin edges over these functions. Each
service function owns its transaction.
"""

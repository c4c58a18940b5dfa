#!/usr/bin/env bash
# Install the Debian/Ubuntu packages kb needs, only those that are missing.
# Usage: scripts/system-deps.sh [run|test]   ("test" adds Chromium and LibreOffice)
# OCR (Tesseract with German and English data) is an optional component of kb: it is
# installed for both, since scans are common and the packages are small (~15 MB).
set -euo pipefail

packages=(
  python3-venv          # the project's .venv
  libpango-1.0-0        # WeasyPrint: text layout
  libpangoft2-1.0-0     # WeasyPrint: fonts
  libharfbuzz-subset0   # WeasyPrint: font subsetting
  libmagic1             # python-magic: file type from the bytes
  fonts-dejavu-core     # fonts embedded in handouts and used by the UI
  fonts-liberation2
  hunspell-de-de        # German dictionary (de_DE.dic/.aff): compound splitting in the index
  tesseract-ocr         # OCR of scanned PDF pages and images (optional component)
  tesseract-ocr-deu     # its German data
  tesseract-ocr-eng     # its English data
)
if [ "${1:-run}" = "test" ]; then
  packages+=(chromium)  # Playwright drives Debian's Chromium; no browser download
  # Page images of PPTX/ODP/DOCX/ODT go through LibreOffice, an optional component of kb
  # (~300 MB): installed for the tests so that path is tested; a server may add it too.
  packages+=(libreoffice-impress libreoffice-writer)
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "kb braucht noch diese Systempakete: ${missing[*]}" >&2
  echo "Bitte als Administrator ausführen, dann erneut starten:" >&2
  echo "  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "Installiere Systempakete: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Installs what LiveScope's tests and tools need on a fresh Debian machine that has only the .NET SDK.
# Idempotent and quiet when everything is already there. Runs as root (or with sudo available).
set -euo pipefail

packages=(
  socat                 # virtual serial port pairs for serial-driver tests
  default-jdk-headless  # a real JVM for the Micro-Manager (MMCoreJ) backend tests
  libxml2-utils         # xmllint: validates written OME-XML against the schema
  python3-tifffile      # peer reader of OME-TIFF
  python3-scipy         # peer FRAP fits (curve_fit)
  python3-skimage       # peer detector timings
  python3-opencv        # peer detector timings
  chromium              # headless browser: the HTML run report is looked at in a real browser
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

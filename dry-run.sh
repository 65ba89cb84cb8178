#!/usr/bin/env bash
# README's first command: a dry run of the insulin-stimulation protocol on the simulated microscope (the default
# configuration). Builds LiveScope, then runs `livescope run`; any extra arguments go to it (e.g. another protocol).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build src/LiveScope.Cli -c Release --nologo -v quiet
if [ $# -eq 0 ]; then set -- protocols/insulin-stimulation-timelapse.yaml; fi
exec dotnet src/LiveScope.Cli/bin/Release/net10.0/livescope.dll run --yes --out runs "$@"

#!/bin/sh
# PostgreSQL archive_command: compress and encrypt one WAL segment into the archive.
#   archive_command = '/opt/guanxi/scripts/pg_wal_archive.sh %p %f'
# Environment (set in the server's environment, e.g. a systemd drop-in):
#   GUANXI_WAL_ARCHIVE  the archive folder (another disk or a mounted share)
#   GUANXI_BACKUP_KEY   the backup passphrase (as for `guanxi backup`)
#   GUANXI_PYTHON       a python3 with the cryptography package (default: python3;
#                       Guanxi's virtualenv has it)
# Exits non-zero (PostgreSQL keeps the segment and retries) on any failure, and refuses
# to overwrite a segment already archived.
set -eu
# The sealing filter runs as a plain file: no Django, no package import for each WAL segment.
crypto="${GUANXI_CRYPTO:-$(dirname "$0")/../guanxi/system/backup_crypto.py}"
src="$1"; name="$2"
dest="${GUANXI_WAL_ARCHIVE:?set GUANXI_WAL_ARCHIVE}/$name.gz.gxwal"
[ -n "${GUANXI_BACKUP_KEY:-}" ] || { echo "GUANXI_BACKUP_KEY is not set" >&2; exit 1; }
[ ! -e "$dest" ] || { echo "$dest exists already" >&2; exit 1; }
tmp="$dest.part.$$"
trap 'rm -f "$tmp"' EXIT
gzip -c "$src" | "${GUANXI_PYTHON:-python3}" "$crypto" encrypt > "$tmp"
sync "$tmp" 2>/dev/null || sync
mv "$tmp" "$dest"
trap - EXIT

#!/bin/sh
# PostgreSQL restore_command: decrypt and decompress one archived WAL segment.
#   restore_command = '/opt/guanxi/scripts/pg_wal_restore.sh %f %p'
# Same environment as pg_wal_archive.sh. A missing segment exits 1 (the end of the archive).
set -eu
# The sealing filter runs as a plain file: no Django, no package import for each WAL segment.
crypto="${GUANXI_CRYPTO:-$(dirname "$0")/../guanxi/system/backup_crypto.py}"
name="$1"; dest="$2"
src="${GUANXI_WAL_ARCHIVE:?set GUANXI_WAL_ARCHIVE}/$name.gz.gxwal"
[ -f "$src" ] || exit 1
"${GUANXI_PYTHON:-python3}" "$crypto" decrypt < "$src" | gunzip -c > "$dest.part"
mv "$dest.part" "$dest"

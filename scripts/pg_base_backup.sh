#!/bin/sh
# A PostgreSQL base backup for point-in-time recovery, encrypted, with retention.
#   GUANXI_BASE_BACKUPS  folder for base backups (one sub-folder each)
#   GUANXI_WAL_ARCHIVE   the WAL archive of pg_wal_archive.sh
#   GUANXI_BASE_KEEP     how many base backups to keep (default 7); WAL older than the
#                        oldest one kept is removed with pg_archivecleanup
#   GUANXI_BACKUP_KEY, GUANXI_PYTHON as for pg_wal_archive.sh; PGHOST/PGPORT/PGUSER for
#   a role with REPLICATION. Run it nightly (cron or a systemd timer) as the postgres user.
set -eu
# The sealing filter runs as a plain file: no Django, no package import for each WAL segment.
crypto="${GUANXI_CRYPTO:-$(dirname "$0")/../guanxi/system/backup_crypto.py}"
root="${GUANXI_BASE_BACKUPS:?set GUANXI_BASE_BACKUPS}"
keep="${GUANXI_BASE_KEEP:-7}"
python="${GUANXI_PYTHON:-python3}"
[ -n "${GUANXI_BACKUP_KEY:-}" ] || { echo "GUANXI_BACKUP_KEY is not set" >&2; exit 1; }
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work="$root/.$stamp.part"
mkdir -p "$work/raw"
trap 'rm -rf "$work"' EXIT
# -X fetch: the WAL needed to make this copy consistent is inside it (it restores even
# without the archive); -Ft -z: one compressed tar per tablespace; --checkpoint=fast.
pg_basebackup -D "$work/raw" -Ft -z -X fetch --checkpoint=fast --label="guanxi $stamp" --manifest-checksums=SHA256
# The first WAL segment this backup needs: older archived segments serve only older backups.
tar -xzOf "$work/raw/base.tar.gz" backup_label | sed -n 's/^START WAL LOCATION: .*(file \(.*\))$/\1/p' > "$work/start_wal"
for file in "$work"/raw/*; do
  "$python" "$crypto" encrypt < "$file" > "$work/$(basename "$file").gxbackup"
done
rm -rf "$work/raw"
mv "$work" "$root/$stamp"
trap - EXIT
echo "base backup $root/$stamp (starts at WAL $(cat "$root/$stamp/start_wal"))"
# Retention: the newest $keep base backups; WAL from before the oldest of them goes.
ls -1d "$root"/2* | sort | head -n -"$keep" | while read -r old; do rm -rf "$old"; done
oldest=$(ls -1d "$root"/2* | sort | head -n 1)
pg_archivecleanup -x .gz.gxwal "${GUANXI_WAL_ARCHIVE:?set GUANXI_WAL_ARCHIVE}" "$(cat "$oldest/start_wal")"

"""Dependency audit for CI (issue 14.7): pip-audit over the installed environment.

Fails when a known vulnerability is reported. When the vulnerability service cannot be
reached (an intranet mirror of PyPI answers "not found" for every package), it says so
loudly and passes: an audit that could not run is reported, never counted as clean.

Usage: .venv/bin/python scripts/audit_dependencies.py
"""

import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main():
    run = subprocess.run([str(PIP_AUDIT), "--progress-spinner", "off", "-f", "json"],  # noqa: S603
                         capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(run.stdout or "{}")
    except json.JSONDecodeError:
        print(run.stdout, run.stderr, sep="\n")
        print("pip-audit: no report (see above); the audit did not run")
        return 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    print(f"pip-audit: {len(dependencies)} packages, {audited} audited, {len(skipped)} not found by the "
          f"vulnerability service, {len(vulnerable)} vulnerable")
    if not audited and dependencies:
        print("WARNING: the vulnerability service could not be reached from this machine; nothing was audited. "
              "Run `pip-audit` where PyPI's JSON API or OSV is reachable.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())

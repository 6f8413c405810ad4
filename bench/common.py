"""Shared helpers for benchmarks: set up Django against the database in the environment,
time calls, and print percentiles."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings.base")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()


def timed(func, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(name, samples):
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p95 = samples[max(0, int(round(len(samples) * 0.95)) - 1)]
    print(f"{name:<48} n={len(samples):<5} p50={p50:8.2f} ms  p95={p95:8.2f} ms")
    return p50, p95


def unique_customer_name(rng, seen):
    """A realistic Chinese customer name not yet in ``seen`` (and add it): one in ten a
    person or a one-person business, the rest companies made unique at scale.
    Returns (name, industry code or None for a person, province code, city code)."""
    from guanxi.customers.namegen import CITIES, company_name, person_name

    while True:
        if rng.random() < 0.1:
            name = person_name(rng) + rng.choice(["", "（个体）", "工作室"]) + str(rng.randint(1, 9999))
            (province, city, _city_name), industry = rng.choice(CITIES), None
        else:
            name, industry, province, city = company_name(rng)
            if name in seen:  # company names repeat at scale: make most of them unique
                name = name.replace("有限公司", f"{rng.choice('东南西北中新')}{rng.randint(1, 999)}分公司")
        if name not in seen:
            seen.add(name)
            return name, industry, province, city


def machine():
    import platform

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"

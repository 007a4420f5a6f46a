"""The engine's named variants, read from cmake/variants.txt (the one list CMake, the
scripts and the report read): "name buffers writes locks" per line, in waterfall order
from the baseline to the optimized engine, # comments."""
import os
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VARIANTS_FILE = os.path.join(ROOT, "cmake", "variants.txt")
KNOBS = ("buffers", "writes", "locks")


@dataclass(frozen=True)
class Variant:
    name: str
    knobs: dict  # knob -> strategy


def load(path=VARIANTS_FILE):
    """[Variant] in waterfall order; ValueError naming the file and line when malformed."""
    variants = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            if len(fields) != 1 + len(KNOBS):
                raise ValueError(f"{path}:{number}: expected a name and {len(KNOBS)} knobs ({' '.join(KNOBS)})")
            variants.append(Variant(fields[0], dict(zip(KNOBS, fields[1:]))))
    if not variants:
        raise ValueError(f"{path}: no variants")
    return variants


VARIANTS = load()
WATERFALL = [v.name for v in VARIANTS]  # baseline first, optimized last


def by_knobs(buffers, writes, locks):
    """The named variant with these strategies, or None."""
    wanted = {"buffers": buffers, "writes": writes, "locks": locks}
    return next((v.name for v in VARIANTS if v.knobs == wanted), None)

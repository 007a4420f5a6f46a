"""The report's plots, each saved as PNG (embedded in the HTML) and SVG (for papers and
reviews). Headless: the Agg backend, no display needed. Saved without dates and with
a fixed SVG id salt, so the same results give the same files.
"""
import os
import re
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.ticker import (FixedLocator, FuncFormatter, LogLocator, NullFormatter, NullLocator,  # noqa: E402
                               SymmetricalLogLocator)

from .inputs import WATERFALL, figure_range, originals  # noqa: E402
from .tables import sqlite_rows  # noqa: E402

plt.rcParams.update({"svg.hashsalt": "memharness", "figure.dpi": 100, "font.size": 9})
MB = 1_000_000
# A colour per waterfall step (cmake/variants.txt): the baseline red, the optimized
# engine green, the steps between from the middle colours in order.
_MIDDLE = ["#d9a441", "#5b8fb9", "#8a6bbf", "#4fa3a5", "#c27ba0"]
COLORS = {name: ("#b0413e" if i == 0 else "#3c8d5a" if i == len(WATERFALL) - 1 else _MIDDLE[(i - 1) % len(_MIDDLE)])
          for i, name in enumerate(WATERFALL)}


@dataclass
class Figure:
    name: str  # file stem in figures/
    title: str
    caption: str
    png: str  # path relative to the report directory
    svg: str


def _save(fig, out_dir, name, title, caption):
    os.makedirs(os.path.join(out_dir, "figures"), exist_ok=True)
    paths = {}
    for ext, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        rel = os.path.join("figures", f"{name}.{ext}")
        fig.savefig(os.path.join(out_dir, rel), format=ext, metadata=metadata, bbox_inches="tight")
        paths[ext] = rel
    plt.close(fig)
    return Figure(name, title, caption, paths["png"], paths["svg"])


def _color(variant):
    return COLORS.get(variant, "#777777")


def _megabytes(value, _pos=None):
    return f"{value / MB:.2f} MB" if value < 10 * MB else f"{value / MB:.0f} MB"


def waterfall(results, out_dir):
    """(a) For each original scenario: a bar per waterfall step, the target and the
    original engine's figure as labelled horizontal lines."""
    wanted = originals(results)
    if not wanted:
        return []
    fig, axes = plt.subplots(1, len(wanted), figsize=(4.2 * len(wanted), 4), squeeze=False)
    for ax, (name, target, original) in zip(axes[0], wanted):
        present = [r for r in results if name in r.scenarios]
        ranges = [figure_range(r.scenarios[name], "bytes") for r in present]
        values = [r.scenarios[name]["totals"]["bytes"] for r in present]
        bars = ax.bar(range(len(present)), values, color=[_color(r.variant) for r in present])
        ax.set_xticks(range(len(present)), [r.variant for r in present], rotation=20, ha="right")
        for bar, value, (low, high) in zip(bars, values, ranges):
            label = _megabytes(value) if low == high else f"{_megabytes(low)}–{_megabytes(high)}"
            ax.annotate(label, (bar.get_x() + bar.get_width() / 2, value), ha="center",
                        va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
        ax.axhline(target, color="#222222", linestyle="--", linewidth=1, label=f"target {_megabytes(target)}")
        if original:
            ax.axhline(original, color="#8a3ffc", linestyle=":", linewidth=1.4,
                       label=f"original engine {_megabytes(original)}")
        ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
        ax.set_ylim(0, max([high for _low, high in ranges] + [target, original or 0]) * 1.35)
        ax.yaxis.set_major_formatter(FuncFormatter(_megabytes))
        ax.set_title(f"{name} ({present[0].scenarios[name]['ops']:,} ops)")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("bytes requested (measured operations)")
    fig.tight_layout()
    return [_save(fig, out_dir, "waterfall", "The waterfall against the targets",
                  "Requested bytes per waterfall step for the original scenarios; dashed: the target, "
                  "dotted: the original .NET engine's figure.")]


def distributions(results, out_dir):
    """(b) Per scenario, every measured operation's bytes in order, client and
    background apart, one colour per variant: warm-up, steady state and every batch
    commit show where they happen."""
    names = []
    for r in results:
        names += [n for n in r.samples if n not in names]
    if not names:
        return []
    cols = min(2, len(names))
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 2.9 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        present = [r for r in results if r.samples.get(name)]
        background = []
        for r in present:
            data = r.samples[name]
            if len(data) == 1:
                between = getattr(r, "background_samples", {}).get(name) or [0]
                ax.bar([f"{r.variant}\nclient", f"{r.variant}\nbackground"], [data[0], between[0]],
                       color=_color(r.variant), alpha=0.8, hatch=["", "xx"], label=r.variant)
            else:
                dense = len(data) > 100  # dots only: a line through hundreds of points is a smear
                # rasterized: thousands of dots as SVG paths made the figure 7 MB.
                ax.plot(range(len(data)), data, color=_color(r.variant), linewidth=0 if dense else 0.8, marker=".",
                        markersize=2.5 if dense else 3, alpha=0.8, label=f"{r.variant} client", rasterized=dense)
                between = getattr(r, "background_samples", {}).get(name)
                if between and any(between):
                    ax.plot(range(len(between)), between, color=_color(r.variant), linewidth=0, marker="x",
                            markersize=3.5, alpha=0.9, label=f"{r.variant} background", rasterized=len(between) > 100)
            bg = r.scenarios.get(name, {}).get("totals", {}).get("background_bytes")
            if bg is not None:
                background.append(f"{r.variant} {_megabytes(bg)}")
        if len(present[0].samples[name]) > 1:
            ax.set_xlabel("operation, in order")
            ax.set_xlim(0, max(len(r.samples[name]) for r in present) - 1)
        top = max(max(r.samples[name] + (getattr(r, "background_samples", {}).get(name) or [0])) for r in present)
        ax.set_ylim(0, top * 1.15 if top > 0 else 1)
        if top == 0:
            ax.text(0.5, 0.5, "no bytes in any operation", transform=ax.transAxes, ha="center", fontsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(_count))
        ax.set_title(name + ("  (background: " + ", ".join(background) + ")" if background else ""), fontsize=9,
                     loc="left")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper left", fontsize=7.5, framealpha=0.9)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("bytes")
    fig.tight_layout()
    return [_save(fig, out_dir, "per_op_distribution", "Bytes of each operation, in order",
                  "Per scenario, in the order the operations ran: dots, what each measured operation's own (client) "
                  "thread requested; crosses, what the other threads (the engine's background writer: batch "
                  "application, commits) requested since the previous operation's end, where the samples have it "
                  "(which operation a commit lands next to is timing). One colour per variant, linear scale (zeros "
                  "sit on the axis); each panel's title gives the background's total.")]


def comparison_deltas(doc, out_dir, name="comparison_deltas", metrics=("bytes", "calls", "peak_live_bytes")):
    """(c) For a comparison, the change in % per scenario for the main figures."""
    rows = [r for r in doc["rows"] if r["metric"] in metrics]
    names = list(dict.fromkeys(r["scenario"] for r in rows))
    if not names:
        return []
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(names) * len(metrics) + 1.2))
    height = 0.8 / len(metrics)
    shades = {"bytes": 1.0, "calls": 0.75, "peak_live_bytes": 0.5}
    for i, metric in enumerate(metrics):
        for j, scenario in enumerate(names):
            row = next((r for r in rows if r["scenario"] == scenario and r["metric"] == metric), None)
            if row is None:
                continue
            y = j + i * height
            color = "#b0413e" if row["regression"] else "#3c8d5a"
            ax.barh(y, row["percent"], height=height * 0.9, color=color, alpha=shades.get(metric, 0.6))
            ax.annotate(f"{metric} {row['percent']:+.1f} %", (row["percent"], y), fontsize=7, va="center",
                        ha="left" if row["percent"] >= 0 else "right", xytext=(3 if row["percent"] >= 0 else -3, 0),
                        textcoords="offset points")
    ax.set_yticks([j + height * (len(metrics) - 1) / 2 for j in range(len(names))], names)
    ax.invert_yaxis()
    ax.axvline(0, color="#222222", linewidth=0.8)
    lo = min([0] + [r["percent"] for r in rows])
    hi = max([0] + [r["percent"] for r in rows])
    pad = max(10, (hi - lo) * 0.35)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_xlabel("change from base to head (%)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return [_save(fig, out_dir, name, "Change per scenario",
                  "Change in % from base to head for bytes, calls and peak live bytes; red = grew, "
                  "green = shrank or held.")]


# The stores of the SQLite plot: key in the rows, label, colour, marker, line style.
SQLITE_STORES = (("baseline", "baseline", _color("baseline"), "o", "-"),
                 ("optimized", "optimized", _color("optimized"), "s", "-"),
                 ("sqlite", "SQLite", "#2f5d9e", "^", "--"))
_SIZED = re.compile(r"^(?P<op>[^/]+)/blocks:(?P<blocks>[0-9]+)(?:/|$)")


def sqlite_series(doc):
    """What the SQLite plot draws, from the benchmark ratio file's "sqlite" section:
    {operation: {"time" | "bytes": {store: [(blocks, value), ...]}}}, operations in the
    rows' order, points by store size; a figure the file does not have is left out.
    Only <operation>/blocks:N benchmarks: not scenario/<name>, and not those with a
    threads:N part (the same reads from several threads, where the size is not the axis).
    Also returns the names left out."""
    series, left_out = {}, []
    for row in sqlite_rows(doc):
        match = _SIZED.match(row["name"])
        if match is None or "/threads:" in row["name"]:
            left_out.append(row["name"])
            continue
        op, blocks = match["op"], int(match["blocks"])
        figures_ = series.setdefault(op, {"time": {}, "bytes": {}})
        for store, *_style in SQLITE_STORES:
            for what, key in (("time", f"{store}_ns"), ("bytes", f"{store}_bytes_per_op")):
                if row.get(key) is not None:
                    figures_[what].setdefault(store, []).append((blocks, row[key]))
    for figures_ in series.values():
        for points in list(figures_["time"].values()) + list(figures_["bytes"].values()):
            points.sort()
    return series, left_out


def _blocks(value, _pos=None):
    for suffix, scale in (("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"


def _per_op_time(ns, _pos=None):
    if ns == 0:
        return "0"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:g} {unit}"
    return f"{ns:g} ns"


def _count(value, _pos=None):
    return _blocks(value)


def _scale_y(ax, values, formatter):
    """Log scale when the positive figures span a decade or more (symmetric log, linear
    below 1, when a figure is 0, so that 0 shows), else linear from 0."""
    positive = [v for v in values if v > 0]
    if positive and max(positive) >= 10 * min(positive):
        # Under two decades, ticks at 1, 2 and 5 of each: a label near every line.
        subs = (1, 2, 5) if max(positive) < 100 * min(positive) else (1,)
        if len(positive) < len(values):
            ax.set_yscale("symlog", linthresh=1)
            ax.set_ylim(-0.3, max(positive) * 3)  # 0 just above the bottom edge
            ax.yaxis.set_major_locator(SymmetricalLogLocator(base=10, linthresh=1))  # decades from 1 up
        else:
            ax.set_yscale("log")
            ax.set_ylim(min(positive) / 2, max(positive) * 2)
            ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        top = max(values + [1]) * 1.2
        ax.set_ylim(-0.04 * top, top)  # a line at 0 stays clear of the bottom edge
    ax.yaxis.set_major_formatter(FuncFormatter(formatter))


def sqlite_sizes(doc, out_dir, name="sqlite_sizes"):
    """(d) Baseline, optimized and SQLite per operation against the store's size: time
    per operation (top row) and bytes per operation (bottom row), a panel per operation."""
    series, left_out = sqlite_series(doc)
    if not series:
        return []
    ops = list(series)
    fig, axes = plt.subplots(2, len(ops), figsize=(max(2.3 * len(ops), 5.5), 5.6), squeeze=False)
    for col, op in enumerate(ops):
        sizes = sorted({b for what in ("time", "bytes") for pts in series[op][what].values() for b, _v in pts})
        for row, (what, formatter) in enumerate((("time", _per_op_time), ("bytes", _count))):
            ax = axes[row][col]
            values = []
            for store, label, color, marker, style in SQLITE_STORES:
                points = series[op][what].get(store)
                if not points:
                    continue
                ax.plot([b for b, _v in points], [v for _b, v in points], color=color, marker=marker,
                        linestyle=style, linewidth=1.4, markersize=5, label=label)
                values += [v for _b, v in points]
            if not values:
                ax.text(0.5, 0.5, "not measured", ha="center", va="center", transform=ax.transAxes, color="#777777")
                values = [0]
            _scale_y(ax, values, formatter)
            if len(sizes) > 1 and sizes[-1] >= 10 * sizes[0]:
                ax.set_xscale("log")
                ax.set_xlim(sizes[0] / 2.5, sizes[-1] * 2.5)
            else:
                ax.set_xlim(sizes[0] * 0.5, sizes[-1] * 1.5)
            ax.xaxis.set_major_locator(FixedLocator(sizes))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_formatter(FuncFormatter(_blocks))
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
            if row == 0:
                ax.set_title(op)
            else:
                ax.set_xlabel("store size (blocks)")
    axes[0][0].set_ylabel("time per operation (median)")
    axes[1][0].set_ylabel("bytes per operation (requested)")
    handles, labels = [], []
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), frameon=False, bbox_to_anchor=(0.5, 1.0))
    caption = ("Per operation, against the store's size in blocks: the median time per operation (top) and the "
               "bytes it requested (bottom) of the baseline, the optimized engine and SQLite (times from the "
               "timing binaries, bytes from the metered ones). Log scales where a panel's figures span a decade "
               "or more (symmetric log, linear below 1, where a figure is 0).")
    threaded = list(dict.fromkeys(n.split("/")[0] for n in left_out if "/threads:" in n))
    scenarios_ = [n for n in left_out if n.startswith("scenario/")]
    unsized = [n for n in left_out if "/threads:" not in n and not n.startswith("scenario/")]
    table_only = ([f"{', '.join(threaded)} (from several threads)"] if threaded else []) + \
        (["the scenarios"] if scenarios_ else []) + (["; ".join(unsized)] if unsized else [])
    if table_only:
        caption += f" In the table only: {' and '.join(table_only)}."
    return [_save(fig, out_dir, name, "Baseline, optimized and SQLite by store size", caption)]

"""Icicle graphs of where the bytes come from (results schema 3, "sites"): per variant,
one panel per scenario, bytes by call stack from the thread role at the top down to the
innermost project function; and for a comparison, the same drawn from both sides'
sites with each box coloured by how its bytes changed. Saved like every other figure
(figures._save: PNG and self-contained SVG)."""
import matplotlib.pyplot as plt
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Rectangle

from .figures import _megabytes, _save

ROLE_COLORS = {"client": "#5b8fb9", "background": "#d9a441"}
_CMAP = plt.get_cmap("RdBu_r")


def _paths(sites):
    """(path, site) per site: role, then the key's functions outermost first."""
    for site in sites:
        frames = [f["function"] if isinstance(f, dict) else f for f in site.get("frames", [])] or [site["key"]]
        yield (site["role"],) + tuple(reversed(frames)), site


def _tree(weighted):
    """{path prefix: [weight...]} summed over every prefix of every path."""
    nodes = {}
    for path, weights in weighted:
        for depth in range(1, len(path) + 1):
            acc = nodes.setdefault(path[:depth], [0] * len(weights))
            for i, w in enumerate(weights):
                acc[i] += w
    return nodes


def _layout(nodes, width_of):
    """Boxes (x, depth, width, path): children in order of width under their parent."""
    children = {}
    for path in nodes:
        children.setdefault(path[:-1], []).append(path)
    boxes = []

    def place(parent, x):
        for path in sorted(children.get(parent, []), key=lambda p: (-width_of(p), p)):
            w = width_of(path)
            if w <= 0:
                continue
            boxes.append((x, len(path) - 1, w, path))
            place(path, x)
            x += w

    place((), 0.0)
    return boxes


def _label(ax, x, depth, w, text, total, fig_width_in, suffix="", color="black"):
    """The box's name, cut from the left to fit (the innermost name part is kept), then
    `suffix` when it fits too."""
    chars = int(w / total * fig_width_in * 72 / 4.7)  # about 4.7 points per character at size 7.5
    if chars < 4:
        return
    if len(text) + len(suffix) > chars:
        suffix = suffix if chars - len(suffix) >= 8 else ""
        if len(text) + len(suffix) > chars and "::" in text and not text.endswith(">"):
            text = text.rsplit("::", 1)[1]  # the namespace goes first, the function's own name last
        if len(text) + len(suffix) > chars:
            text = "…" + text[-(chars - 1 - len(suffix)):]
    ax.text(x + w / 2, -depth - 0.5, text + suffix, ha="center", va="center", fontsize=7.5, clip_on=True,
            color=color)


def _axes_for(ax, total, depth, title):
    ax.set_xlim(0, total)
    ax.set_ylim(-depth, 0)
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(plt.FuncFormatter(_megabytes))
    ax.set_title(title, fontsize=9, loc="left")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def icicles(results, out_dir, width_in=12.0):
    """Per variant with sites: one figure, one icicle per scenario."""
    out = []
    for r in results:
        scenarios = [(name, s) for name, s in r.scenarios.items()
                     if (s.get("sites") or {}).get("list") and s["totals"]["bytes"] > 0]
        if not scenarios:
            continue
        fig, axes = plt.subplots(len(scenarios), 1, figsize=(width_in, 1.25 + 1.15 * len(scenarios)), squeeze=False)
        for ax, (name, s) in zip(axes[:, 0], scenarios):
            nodes = _tree((path, [site["bytes"]]) for path, site in _paths(s["sites"]["list"]))
            total = sum(v[0] for p, v in nodes.items() if len(p) == 1) or 1
            boxes = _layout(nodes, lambda p: nodes[p][0])
            depth = max(d for _x, d, _w, _p in boxes) + 1
            for x, d, w, path in boxes:
                ax.add_patch(Rectangle((x, -d - 1), w, 1, facecolor=ROLE_COLORS.get(path[0], "#999999"),
                                       alpha=0.55 + 0.45 * (d == len(path) - 1 and d == depth - 1),
                                       edgecolor="white", linewidth=0.6))
                _label(ax, x, d, w, path[-1] if d else f"{path[0]} threads", total, width_in)
            _axes_for(ax, total, depth, f"{name}: {_megabytes(total)} in {s['totals']['calls']:,} calls")
        fig.tight_layout()
        out.append(_save(fig, out_dir, f"sites_{r.variant}", f"Where the bytes come from: {r.variant}",
                         "Bytes of the measured steps by call stack: thread role at the top, then the site key's "
                         "functions from the outermost caller down to the innermost project function (the site). "
                         "Width is bytes; every scenario's boxes sum to its totals."))
    return out


def differential(doc, out_dir, name, width_in=12.0):
    """For a comparison with sites: one icicle per scenario over both sides, each box
    as wide as the larger side's bytes and coloured by the change (red grew, blue
    shrank)."""
    entries = [e for e in doc.get("sites", []) if e.get("available") and e.get("all")]
    if not entries:
        return []
    fig, axes = plt.subplots(len(entries), 1, figsize=(width_in, 1.25 + 1.15 * len(entries)), squeeze=False)
    for ax, entry in zip(axes[:, 0], entries):
        deltas = entry["all"]
        weighted = []
        for d in deltas:
            frames = d.get("frames") or [d["key"]]
            weighted.append(((d["role"],) + tuple(reversed(frames)), [d["base_bytes"], d["head_bytes"]]))
        nodes = _tree(weighted)
        widest = lambda p: max(nodes[p])  # noqa: E731
        total = sum(widest(p) for p in nodes if len(p) == 1) or 1
        boxes = _layout(nodes, widest)
        depth = max((d for _x, d, _w, _p in boxes), default=0) + 1
        for x, d, w, path in boxes:
            base, head = nodes[path]
            change = (head - base) / max(base, head, 1)
            ax.add_patch(Rectangle((x, -d - 1), w, 1, facecolor=_CMAP(TwoSlopeNorm(0, -1, 1)(change)),
                                   edgecolor="white", linewidth=0.6))
            sign = "+" if head >= base else "−"
            label = path[-1] if d else f"{path[0]} threads"
            _label(ax, x, d, w, label, total, width_in, f" ({sign}{_megabytes(abs(head - base))})",
                   "white" if abs(change) > 0.5 else "black")
        _axes_for(ax, total, depth, f"{entry['scenario']}: sites, base → head")
    fig.tight_layout()
    return [_save(fig, out_dir, name, "Where the change comes from (differential)",
                  "Both sides' bytes by call stack, as in the per-variant graphs; each box as wide as the larger "
                  "side and coloured by its change: red grew, blue shrank, white unchanged; a deep red box is new "
                  "in head. Labels give the change in bytes.")]

"""Weak reflections at the nodes of a fitted lattice, and at the half nodes of a centred one.

Once strong spots define a reciprocal lattice, a weak reflection need only be
tested where the lattice predicts it, so a much lower SNR is significant than
for a search over the whole spectrum (a few hundred positions instead of
every pixel). The half nodes ``(h + ½) a* + (k + ½) b*`` (and the half of a
1-D basis) are tested too: when the strong spots are a centred sub-lattice
— the (110) spots of a cubic crystal along [001], say — the primitive
reflections (100) and (010) sit there, and weak "forbidden" reflections of a
finite crystal (a partial unit cell at its surface) sit there too. A node's SNR is the
larger of the ring SNR (:func:`.fft_spectrum.snr_map`) and the SNR against the local
background around the node (:func:`local_snr`), which is what a user sees as a spot.
A node's spot must refine to within 1.5 px of the node (a reflection whose maximum the contrast
transfer moves farther is placed at its node by :mod:`.lattice_displaced`). Half-node spots are
kept when two distinct ones (not a Friedel pair) reach twice the threshold: the 3×3-summed power of
speckle is heavy-tailed (about 2 % of pure-noise positions reach 5σ), and single half-node spots at
SNR 5–10 are as often noise as weak forbidden reflections. Otherwise, on a 2-D lattice, each half-
node spot is kept whose SNR exceeds what the spectrum's own speckle reaches at one of the half
nodes once in 100 images, that share of the 1 % weighted towards the centre (:func:`noise_level`,
estimated at the quarter nodes, where no reflection lies, no nearer to a strong spot than the
tested half nodes).
Whether half-node reflections re-index the lattice is then decided by the lattice fit: only
reflections holding a few per cent of the strongest one's power choose the basis
(:data:`.lattice_fit.STRONG_FRACTION`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from insitu_tem.analysis.hrtem.fft_lattice import Spot, SpotSearch, make_spots
from insitu_tem.analysis.hrtem.fft_spectrum import PowerSpectrum, SnrMap
from insitu_tem.analysis.hrtem.lattice_fit import LatticeFit

NODE_SNR = 5.0
_MIN_RADIUS_PX = 3.0
SAME_SPOT_PX = 1.5
_ANNULUS_PX = (3.0, 6.0)
_CLEAR_OF_SPOTS_PX = 2.5
_MIN_ANNULUS_PIXELS = 10
MIN_CONTROLS = 20
FALSE_SPOTS = 0.01
DISC_SIDELOBE = 0.0175


def lattice_points(fit: LatticeFit, g_max: float, division: int) -> tuple[np.ndarray, np.ndarray]:
    """Points ``(h a* + k b*) / division`` of ``fit`` (h, k integers, not both 0; k = 0 for a
    1-D lattice) with both components within ``g_max`` (1/nm), and their (h, k)."""
    a = np.asarray(fit.a_star)
    b = np.asarray(fit.b_star) if fit.two_dimensional else np.zeros(2)
    shortest = min(np.linalg.norm(a), np.linalg.norm(b) if fit.two_dimensional else np.inf)
    reach = int(np.ceil(g_max * np.sqrt(2.0) / shortest * division)) + 1
    k_range = np.arange(-reach, reach + 1) if fit.two_dimensional else np.zeros(1, int)
    hk = np.array([(h, k) for h in range(-reach, reach + 1) for k in k_range if (h, k) != (0, 0)])
    g = (hk[:, :1] * a + hk[:, 1:] * b) / division
    inside = np.all(np.abs(g) <= g_max, axis=1)
    return g[inside], hk[inside]


def canonical(spectrum: PowerSpectrum, g: np.ndarray) -> np.ndarray:
    """Which reciprocal vectors ``g`` (1/nm) point into the reported half and lie at least 3 FFT
    px from the centre."""
    positions = g / np.asarray(spectrum.k_step_per_nm)
    lower = (positions[:, 0] > 0) | ((positions[:, 0] == 0) & (positions[:, 1] < 0))
    return ~lower & (np.hypot(*positions.T) >= _MIN_RADIUS_PX)


def near_any(position: np.ndarray, taken: list[tuple[float, float]]) -> bool:
    """True when ``position`` or its Friedel mate is within the same-spot distance of a taken
    spot."""
    if not taken:
        return False
    points = np.asarray(taken, float)
    nearest = min(np.hypot(*(points - position).T).min(), np.hypot(*(points + position).T).min())
    return bool(nearest < SAME_SPOT_PX)


def clear_of_spots(spectrum: PowerSpectrum, positions: np.ndarray) -> np.ndarray:
    """True where a spectrum pixel is farther than 2.5 px from every one of ``positions`` (both
    Friedel mates) and 3 px from the centre."""
    r0, c0 = spectrum.centre
    raster = np.ones(spectrum.shape, bool)
    for sign in (1, -1):
        at = np.rint(np.array([r0, c0]) + sign * positions).astype(int)
        inside = np.all((at >= 0) & (at < np.array(spectrum.shape)), axis=1)
        raster[at[inside, 0], at[inside, 1]] = False
    raster[r0, c0] = False
    return ndimage.distance_transform_edt(raster) > _CLEAR_OF_SPOTS_PX


@dataclass(frozen=True)
class Annuli:
    """The pixels around each of P positions (FFT px from the centre), (P, m, m) arrays: their
    (clipped) ``rows`` and ``cols``, the ``ring`` 3–6 px from the position inside the frame and
    in the ``clear`` mask, the ``core`` within 1 px of its nearest pixel, and (P,) ``enough``: the
    ring holds at least 10 pixels."""

    rows: np.ndarray
    cols: np.ndarray
    ring: np.ndarray
    core: np.ndarray
    enough: np.ndarray


def annuli(spectrum: PowerSpectrum, positions: np.ndarray, clear: np.ndarray) -> Annuli:
    """The :class:`Annuli` of ``positions`` (FFT px from the centre, off the grid)."""
    positions = np.asarray(positions, float).reshape(-1, 2)
    (r0, c0), (n_rows, n_cols) = spectrum.centre, spectrum.shape
    offsets = np.arange(-int(np.ceil(_ANNULUS_PX[1])), int(np.ceil(_ANNULUS_PX[1])) + 1)
    nearest = np.rint(positions + np.array([r0, c0])).astype(int)
    rows = nearest[:, 0, None, None] + offsets[None, :, None]
    cols = nearest[:, 1, None, None] + offsets[None, None, :]
    inside = (rows >= 0) & (rows < n_rows) & (cols >= 0) & (cols < n_cols)
    rows, cols = np.broadcast_arrays(np.clip(rows, 0, n_rows - 1), np.clip(cols, 0, n_cols - 1))
    distance = np.hypot(
        rows - r0 - positions[:, 0, None, None], cols - c0 - positions[:, 1, None, None]
    )
    ring = inside & clear[rows, cols] & (distance >= _ANNULUS_PX[0]) & (distance <= _ANNULUS_PX[1])
    near = np.abs(offsets) <= 1
    core = inside & near[None, :, None] & near[None, None, :]
    enough = ring.sum(axis=(1, 2)) >= _MIN_ANNULUS_PIXELS
    return Annuli(rows, cols, ring, core, enough)


def ring_values(values: np.ndarray, around: Annuli) -> np.ndarray:
    """(P', k) ``values`` at the ring pixels of the positions with ``enough`` of them, NaN
    elsewhere (for :func:`numpy.nanmedian` and the like along axis 1)."""
    picked = np.where(around.ring, values[around.rows, around.cols], np.nan)
    return picked[around.enough].reshape(int(around.enough.sum()), -1)


def local_snr(spectrum: PowerSpectrum, positions: np.ndarray, clear: np.ndarray) -> np.ndarray:
    """SNR of each node against its local background: the 3×3-summed power's maximum within
    1 px of the node above the median of an annulus 3–6 px around it (pixels in ``clear``), in
    standard deviations of that annulus (0 where the annulus holds fewer than 10 pixels).

    Near the centre of a small crystal's spectrum, or in a ring crowded with other reflections,
    the power at a spot's own |k| scatters far more than around the spot itself, so the ring's
    noise (:func:`.fft_spectrum.snr_map`) hides reflections a user sees clearly.
    """
    summed = spectrum.summed_3x3
    around = annuli(spectrum, positions, clear)
    out = np.zeros(len(around.enough))
    if not around.enough.any():
        return out
    background = ring_values(summed, around)
    peak = np.where(around.core, summed[around.rows, around.cols], -np.inf)[around.enough]
    peak = peak.reshape(len(background), -1).max(axis=1)
    spread = np.nanstd(background, axis=1)
    value = (peak - np.nanmedian(background, axis=1)) / np.where(spread > 0, spread, 1.0)
    out[around.enough] = np.where(spread > 0, value, 0.0)
    return out


def above_local_background(
    spectrum: PowerSpectrum,
    search: SpotSearch,
    fit: LatticeFit,
    *,
    max_spots: int | None = None,
) -> SpotSearch:
    """The spots of a spectrum-wide ``search`` without those that ``fit``, their lattice, does not
    index and that could be a subsidiary maximum of a stronger reflection's transform, strongest
    first, at most ``max_spots``.

    The ring SNR of :func:`.fft_lattice.find_spots` measures a maximum against the noise of its
    whole ring. Near a reflection hundreds of times stronger the power is that reflection's
    transform (the crystal's outline times the window), whose subsidiary maxima, and the noise
    multiplied by them, stand 15–70 ring-noise units high: features of the image but not
    reflections (session 32: 10 of the 290 spots reported on the held-out crystals). A spot is
    dropped when it stands less than :data:`NODE_SNR` above its local background
    (:func:`local_snr`, the annulus clear of every spot found; kept when the annulus holds fewer
    than 10 pixels) and its 3×3-summed power is at most :data:`DISC_SIDELOBE` of the strongest
    spot's, the first subsidiary maximum of a disc's transform (Airy): a weak reflection between
    comparable ones (a small crystal's broad, overlapping spots) is kept, and so is every spot the
    lattice indexes (the high orders of a real SrTiO3 image on a streak of the scan).
    """
    if not search.ok:
        return search
    at = np.array([(s.row_px, s.col_px) for s in search.spots]).reshape(-1, 2)
    clear = clear_of_spots(spectrum, at)
    local = local_snr(spectrum, at, clear)
    pixels = np.rint(at + np.asarray(spectrum.centre)).astype(int)
    power = spectrum.summed_3x3[pixels[:, 0], pixels[:, 1]]
    weak = power <= DISC_SIDELOBE * power.max()
    indexed = [hk != (0, 0) for hk in fit.indices] if fit.ok else [False] * len(at)
    drop = weak & (local < NODE_SNR) & annuli(spectrum, at, clear).enough & ~np.array(indexed)
    kept = tuple(s for s, dropped in zip(search.spots, drop) if not dropped)
    return SpotSearch(True, "", kept[:max_spots])


def node_snr(
    spectrum: PowerSpectrum, snr: SnrMap, positions: np.ndarray, clear: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per position (FFT px from the centre): the larger of the ring SNR's maximum within 1 px
    and :func:`local_snr`, and the pixel (row, col) of that ring-SNR maximum."""
    r0, c0 = spectrum.centre
    local = local_snr(spectrum, positions, clear)
    out, pixels = np.zeros(len(positions)), np.zeros((len(positions), 2), int)
    for i, (d_row, d_col) in enumerate(positions):
        row, col = int(round(r0 + d_row)), int(round(c0 + d_col))
        box = snr.snr[max(row - 1, 0) : row + 2, max(col - 1, 0) : col + 2]
        if box.size == 0:
            continue
        best = np.unravel_index(int(np.argmax(box)), box.shape)
        out[i] = max(float(box.max()), local[i])
        pixels[i] = max(row - 1, 0) + best[0], max(col - 1, 0) + best[1]
    return out, pixels


def _distance_to_spots(positions: np.ndarray, spots: np.ndarray) -> np.ndarray:
    """Distance (FFT px) from each of ``positions`` to the nearest of ``spots``, their Friedel
    mates and the centre."""
    sources = np.concatenate([spots, -spots, np.zeros((1, 2))]).reshape(-1, 2)
    return np.min(np.hypot(*(positions[:, None, :] - sources[None, :, :]).transpose(2, 0, 1)), 1)


def control_positions(
    spectrum: PowerSpectrum,
    fit: LatticeFit,
    clear: np.ndarray,
    tested: np.ndarray,
    spots: np.ndarray,
) -> np.ndarray:
    """Positions (FFT px from the centre) where the lattice ``fit`` predicts no reflection, as far
    from the strong ``spots`` (and the centre) as the nearest of ``tested``: the quarter nodes
    that are neither nodes nor half nodes and lie in ``clear``."""
    g, hk = lattice_points(fit, 0.95 * 0.5 / spectrum.pixel_nm, 4)
    keep = canonical(spectrum, g) & np.any(hk % 2 == 1, axis=1)
    positions = g[keep] / np.asarray(spectrum.k_step_per_nm)
    pixels = np.rint(positions + np.asarray(spectrum.centre)).astype(int)
    inside = np.all((pixels >= 0) & (pixels < np.array(spectrum.shape)), axis=1)
    positions, pixels = positions[inside], pixels[inside]
    nearest = _distance_to_spots(tested, spots).min(initial=np.inf)
    far = _distance_to_spots(positions, spots) >= nearest
    return positions[clear[pixels[:, 0], pixels[:, 1]] & far]


def speckle_controls(
    spectrum: PowerSpectrum,
    snr: SnrMap,
    fit: LatticeFit,
    clear: np.ndarray,
    tested: np.ndarray,
    spots: np.ndarray,
) -> np.ndarray:
    """Node SNRs (:func:`node_snr`) at the :func:`control_positions` of ``fit`` for the
    ``tested`` positions (FFT px from the centre); empty with fewer than 20 of them."""
    chosen = control_positions(spectrum, fit, clear, tested, spots)
    control = node_snr(spectrum, snr, chosen, clear)[0]
    return control if control.size >= MIN_CONTROLS else np.zeros(0)


def noise_level(
    spectrum: PowerSpectrum,
    snr: SnrMap,
    fit: LatticeFit,
    clear: np.ndarray,
    tested: np.ndarray,
    spots: np.ndarray,
) -> np.ndarray:
    """Per tested half node (FFT px from the centre), the node SNR (:func:`node_snr`) that
    speckle exceeds at it with probability :data:`FALSE_SPOTS` · w, estimated where no
    reflection lies and as far from the strong ``spots`` (and the centre) as the nearest tested
    half node.

    The controls are the quarter nodes of ``fit`` that are neither nodes nor half nodes, clear of
    the spots, no nearer to a spot than the tested half nodes are: the tails of strong
    reflections of a small crystal raise the SNR near them, and controls nearer than the tested
    positions would set the level too high. The tail of the controls' SNRs above its 80th
    percentile u is taken as exponential (peaks over a threshold; the 3×3-summed power of
    speckle is a sum of exponentials), with the mean excess β: the level is
    u + β ln(0.2 / (FALSE_SPOTS · w)), never below the largest control (∞ with fewer than 20
    controls). The weights w ∝ 1/|g|² sum to 1 (a weighted Bonferroni bound, so speckle passes
    one of the half nodes with probability at most FALSE_SPOTS): the half nodes number ∝ |g| d|g|,
    so each doubling of |g| gets the same share, and the few lowest orders near the centre are
    tested at a lower level than the many far out.

    References
    ----------
    S. Coles, *An Introduction to Statistical Modeling of Extreme Values*, Springer (2001), ch. 4.
    C. R. Genovese, K. Roeder, L. Wasserman, False discovery control with p-value weighting,
    *Biometrika* 93 (2006) 509–524.
    """
    control = speckle_controls(spectrum, snr, fit, clear, tested, spots)
    if control.size == 0:
        return np.full(len(tested), np.inf)
    u = float(np.quantile(control, 0.8))
    beta = float(np.mean(control[control > u] - u)) if np.any(control > u) else 0.0
    weight = 1.0 / np.hypot(*tested.T) ** 2
    weight /= weight.sum()
    return np.maximum(u + beta * np.log(0.2 / (FALSE_SPOTS * weight)), float(control.max()))


def node_spots(
    spectrum: PowerSpectrum,
    snr: SnrMap,
    fit: LatticeFit,
    known: tuple[Spot, ...],
    *,
    threshold: float = NODE_SNR,
) -> tuple[Spot, ...]:
    """Spots at the (half) nodes of ``fit`` not yet in ``known`` whose SNR reaches ``threshold``.

    Parameters
    ----------
    spectrum : PowerSpectrum
    snr : SnrMap
        :func:`insitu_tem.analysis.hrtem.fft_spectrum.snr_map` of ``spectrum``.
    fit : LatticeFit
        Lattice of the strong spots (``ok``).
    known : tuple of Spot
        Spots already found (each Friedel pair once).
    threshold : float
        SNR a node must reach (units of :func:`snr_map`).

    Returns
    -------
    tuple of Spot
        New spots (each Friedel pair once), half-node spots only when the rule in the module
        docstring accepts them; their ``snr`` is the larger of the ring and the local SNR.
    """
    if not fit.ok:
        return ()
    taken = [(s.row_px, s.col_px) for s in known]
    g, hk = lattice_points(fit, 0.95 * 0.5 / spectrum.pixel_nm, 2)
    keep = canonical(spectrum, g)
    positions, half = g[keep] / np.asarray(spectrum.k_step_per_nm), np.any(hk[keep] % 2, axis=1)
    known_px = np.array(taken, float).reshape(-1, 2)
    clear = clear_of_spots(spectrum, known_px)
    level_at, pixels = node_snr(spectrum, snr, positions, clear)
    chosen = (level_at >= threshold) & [not near_any(p, taken) for p in positions]
    spots = make_spots(spectrum, snr, pixels[chosen, 0], pixels[chosen, 1])
    found: list[tuple[Spot, int]] = []
    tested = np.cumsum(half) - 1
    for position, index, level, spot in zip(
        positions[chosen], np.where(half, tested, -1)[chosen], level_at[chosen], spots
    ):
        refined = np.array([spot.row_px, spot.col_px])
        off_node = min(np.hypot(*(refined - position)), np.hypot(*(refined + position)))
        if off_node > SAME_SPOT_PX or near_any(position, taken) or near_any(refined, taken):
            continue
        found.append((replace(spot, snr=max(spot.snr, float(level))), int(index)))
        taken.append((spot.row_px, spot.col_px))
    if not fit.two_dimensional:
        return _accepted(found, threshold, lambda: np.full(int(half.sum()), np.inf))
    return _accepted(
        found, threshold, lambda: noise_level(spectrum, snr, fit, clear, positions[half], known_px)
    )


def _accepted(found: list[tuple[Spot, int]], threshold: float, noise) -> tuple[Spot, ...]:
    """Node spots (index -1), and half-node spots (their index among the tested half nodes) when
    two distinct ones reach twice ``threshold``, else those above their level in ``noise()``
    (:func:`noise_level`)."""
    if sum(i >= 0 and s.snr >= 2 * threshold for s, i in found) >= 2 or all(
        i < 0 for _, i in found
    ):
        return tuple(s for s, _ in found)
    level = noise()
    return tuple(s for s, i in found if i < 0 or s.snr > level[i])

"""The docks of the main window: where each panel sits, their minimum sizes, and View ▸ Reset
Layout.

Each panel sits in a scroll area inside its dock, so a panel whose controls are wider than its
share of the screen scrolls instead of forcing the whole window wider. On a wide window the
default layout is four quadrants (movie and FFT on top, NBD and EELS below; the other panels are
tabs behind them); on a laptop (narrower than :data:`QUADRANTS_FROM_WIDTH`) the movie spans the
top and every other panel is a full-width tab below it, since no two panels fit side by side.
A session with data hides the docks that would be empty beside it (:func:`empty_docks`: the
movie dock without a movie, the FFT dock without an image, the NBD dock without a scan or a
movie, the EELS dock without a spectrum), so the panels with data get their room (View lists
them; data for one opened shows it again).

On a wide window a spectrum image beside a movie or image but without FFT or NBD data of its own
gets its column's whole height (the FFT dock at its minimum), and without a movie the whole
window (the other docks hidden); a movie or image shown without an NBD scan gets its column's
whole height (the empty NBD dock at its minimum).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QMainWindow, QScrollArea, QWidget

from insitu_tem.io.kinds import is_xray_spectrum

LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea

PLACEMENT = (
    ("movie", "Movie", LEFT, None),
    ("hrtem", "FFT", RIGHT, None),
    ("nbd", "NBD", LEFT, None),
    ("eels", "EELS", RIGHT, None),
    ("across", "Across front", RIGHT, "eels"),
    ("tomo", "Tomography", RIGHT, "hrtem"),
    ("timeline", "Timeline", LEFT, "nbd"),
)
"""(role, dock title, area, tabbed behind) in the order the docks are added."""


def dock_title(role: str, dataset) -> str:
    """The title of ``role``'s dock while it shows ``dataset`` (None: nothing): the EELS panel
    is titled "EDS" while it analyses X-ray spectra."""
    if role == "eels" and dataset is not None and is_xray_spectrum(dataset):
        return "EDS"
    return next(title for r, title, _area, _behind in PLACEMENT if r == role)


MIN_DOCK_SIZE = (320, 200)
"""Smallest dock, px (width, height): a panel below this is no longer usable."""

SURVEY_MAP_SPLIT = (1, 2)
"""Heights of the FFT dock holding a survey image and of the spectrum image's dock below it."""

QUADRANTS_FROM_WIDTH = 1700
"""Window width, px, from which the default layout is four quadrants."""

COMPACT_SPLIT = (9, 11)
"""Heights of the movie and of the tabs below it in the compact layout (the tabs hold plot
stacks)."""

COMPACT_IMAGE_SPLIT = (1, 1)
"""Heights of the movie dock holding a single image (a map's survey) and of the tabs below it (the
spectrum image) in the compact layout: both are data the user reads."""

COMPACT_TABS = ("eels", "nbd", "hrtem", "across", "timeline", "tomo")
"""The tabs below the movie in the compact layout, left to right (the first one raised)."""


class PanelScroll(QScrollArea):
    """Holds a panel at the size of the dock, never below the panel's minimum size hint; scrolls
    only then. (``widgetResizable`` would size a panel holding word-wrapped labels by its
    height-for-width, far taller than the dock.)"""

    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(panel)

    def viewportEvent(self, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return super().viewportEvent(event)

    def fit(self) -> None:
        """Resize the panel to the visible area, or to its minimum size where that is larger."""
        hint, shown = self.widget().minimumSizeHint(), self.viewport().size()
        self.widget().resize(max(shown.width(), hint.width()), max(shown.height(), hint.height()))


@dataclass(frozen=True)
class Fit:
    """What the dock sizes were fitted to: a movie shown (or nothing at all), a spectrum image
    shown without an FFT or NBD scan of its own, the movie dock holding a single image, other
    data shown without an NBD scan, a spectrum image shown below the survey image in the FFT
    dock, the docks hidden."""

    movie: bool = True
    spectra: bool = False
    image: bool = False
    no_scan: bool = False
    survey_map: bool = False
    hidden: frozenset[str] = frozenset()


def empty_docks(roles: set[str], *, image: bool = False) -> frozenset[str]:
    """The docks hidden while they would be empty beside the data of ``roles`` (none in an empty
    session): the movie dock without a movie or image; the FFT dock and the Tomography tab behind
    it without any image (a movie, HRTEM image or survey); the NBD dock and the Timeline tab
    behind it without an NBD scan or a movie (beside a movie it stays, at its minimum; beside a
    single image, ``image``, it goes: a holder log needs a movie's clock); the EELS dock without a
    spectrum; the Across front tab without a movie and a line scan to profile across its front."""
    if not roles:
        return frozenset()
    hidden = set() if "movie" in roles else {"movie"}
    if not roles & {"movie", "hrtem", "survey"}:
        hidden |= {"hrtem", "tomo"}
    if "nbd" not in roles and ("movie" not in roles or image):
        hidden |= {"nbd", "timeline"}
    if "eels" not in roles:
        hidden.add("eels")
    if "movie" not in roles or not roles & {"eels", "nbd"}:
        hidden.add("across")
    return frozenset(hidden)


DOCK_DATA = {"movie": {"movie"}, "hrtem": {"hrtem", "survey"}, "nbd": {"nbd"}, "eels": {"eels"}}
"""The session roles whose data each hideable panel shows."""

RELAYOUT_DELAY_MS = 250
"""After the window crosses :data:`QUADRANTS_FROM_WIDTH`, wait this long for the resize to stop."""


class DockLayout(QObject):
    """Creates the docks (with a placeholder until the panels exist) and restores the default
    layout; re-lays them out when the window is resized across :data:`QUADRANTS_FROM_WIDTH`.

    Parameters
    ----------
    window : QMainWindow
        The window the docks belong to.
    """

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.placed_compact: bool | None = None
        self.fitted = Fit()
        self._holding = False
        self._held: tuple | None = None
        self._relayout = QTimer(self, singleShot=True, interval=RELAYOUT_DELAY_MS)
        self._relayout.timeout.connect(self._relayout_if_crossed)
        self.docks: dict[str, QDockWidget] = {}
        for role, title, _area, _behind in PLACEMENT:
            dock = QDockWidget(title, window)
            dock.setObjectName(f"dock-{role}")
            dock.setMinimumSize(*MIN_DOCK_SIZE)
            placeholder = QLabel("Loading…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            dock.setWidget(placeholder)
            self.docks[role] = dock
        self.place()
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        """A resize across the quadrant width re-lays the docks out once the resize stops."""
        if event.type() == QEvent.Type.Resize and self.compact != self.placed_compact:
            self._relayout.start()
        return False

    def _relayout_if_crossed(self) -> None:
        if self.compact != self.placed_compact and self.window.isVisible():
            self.reset()

    def set_panel(self, role: str, panel: QWidget) -> None:
        """Show ``panel`` in its dock, scrolling when the dock is smaller than the panel's
        minimum."""
        scroll = PanelScroll(panel)
        scroll.setObjectName(f"scroll-{role}")
        self.docks[role].setWidget(scroll)

    def panel(self, role: str) -> QWidget | None:
        """The panel shown in the dock of ``role`` (None while it is a placeholder)."""
        content = self.docks[role].widget()
        return content.widget() if isinstance(content, QScrollArea) else None

    @property
    def compact(self) -> bool:
        """True when the window is too narrow for quadrants."""
        return self.window.width() < QUADRANTS_FROM_WIDTH

    def place(self) -> None:
        """Put every dock where the default layout has it, visible and docked, front tabs raised."""
        self.placed_compact = self.compact
        if self.compact:
            self._place_compact()
            return
        for role, _title, area, behind in PLACEMENT:
            dock = self.docks[role]
            dock.setFloating(False)
            self.window.addDockWidget(area, dock)
            if behind is not None:
                self.window.tabifyDockWidget(self.docks[behind], dock)
            dock.show()
        for role in ("movie", "hrtem", "nbd", "eels"):
            self.docks[role].raise_()

    def _place_compact(self) -> None:
        self.window.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, self.docks["movie"])
        first = self.docks[COMPACT_TABS[0]]
        self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, first)
        for role in COMPACT_TABS[1:]:
            self.window.tabifyDockWidget(first, self.docks[role])
        for dock in self.docks.values():
            dock.setFloating(False)
            dock.show()
        first.raise_()

    def balance(self) -> None:
        """Similar sizes: four quadrants (movie and FFT on top), or movie above the tabs (the
        hidden docks left out)."""
        movie = self.docks["movie"]
        if self.compact:
            below = self._first_tab()
            if not movie.isHidden() and below is not None:
                split = list(COMPACT_SPLIT)
                self.window.resizeDocks([movie, below], split, Qt.Orientation.Vertical)
            return
        left = [dock for dock in (movie, self.docks["nbd"]) if not dock.isHidden()]
        right = [dock for dock in (self.docks["hrtem"], self.docks["eels"]) if not dock.isHidden()]
        if left and right:
            self.window.resizeDocks([left[0], right[0]], [1, 1], Qt.Orientation.Horizontal)
        for column in (left, right):
            self.window.resizeDocks(column, [1] * len(column), Qt.Orientation.Vertical)

    def _first_tab(self) -> QDockWidget | None:
        """The first of :data:`COMPACT_TABS` shown (None when all are hidden)."""
        shown = (self.docks[role] for role in COMPACT_TABS if not self.docks[role].isHidden())
        return next(shown, None)

    def reset(self) -> None:
        """View ▸ Reset Layout: the default placement and sizes for the window's width."""
        for dock in self.docks.values():
            self.window.removeDockWidget(dock)
        self.place()
        self._show(Fit(), self.fitted, set())
        self.balance()
        self._fit(self.fitted)

    def fit_to_data(self, roles, *, image: bool = False, survey: bool = False) -> None:
        """Sizes for the data shown (``roles``: those holding data): the docks that would be
        empty hidden (:func:`empty_docks`) and those with data taller; a spectrum image shown
        without an FFT or NBD scan of its own beside its HAADF in the movie dock: in quadrants
        the FFT dock at its minimum and the EELS dock the whole column's height; with a single image
        (``image``: the HAADF beside a map) in the movie dock, that column two fifths of the
        width, or on a laptop half the height (:data:`COMPACT_IMAGE_SPLIT`); in quadrants, a movie
        without an NBD scan the left column's height, and a spectrum image below the survey
        (``survey``: the FFT dock's own image cannot show lattice fringes) two thirds of the
        right column's. Acts only when what this depends on changes, so sizes the user has
        dragged stay; inside :meth:`held`, once it ends."""
        if self._holding:
            self._held = (roles, image, survey)
            return
        roles = set(roles)
        fit = Fit(
            movie="movie" in roles or not roles,
            spectra="eels" in roles and not roles & {"hrtem", "survey", "nbd"},
            image=image,
            no_scan=bool(roles) and "nbd" not in roles,
            survey_map=survey and "eels" in roles and bool(roles & {"hrtem", "survey"}),
            hidden=empty_docks(roles, image=image),
        )
        if fit != self.fitted:
            self._show(self.fitted, fit, roles)
            self.fitted = fit
            self.balance()
            self._fit(fit)

    @contextmanager
    def held(self):
        """``with held():`` the data placed inside are laid out once, at the end, for all of
        them (no layout for the first alone, then another: docks jumping, the wrong tab raised)."""
        self._holding = True
        try:
            yield
        finally:
            self._holding, held, self._held = False, self._held, None
            if held is not None:
                roles, image, survey = held
                self.fit_to_data(roles, image=image, survey=survey)

    def _show(self, old: Fit, new: Fit, roles: set[str]) -> None:
        """Hide the docks that became empty beside other data, show those that hold data again
        (only those that changed, so a dock the user showed or hid through View stays); a panel
        shown again is raised in front of the tab behind it (Tomography, Timeline) — on a laptop,
        where its tab sits beside the EELS tab, only when it holds data of its own (``roles``):
        an empty FFT or NBD tab shown again beside a movie must not hide the map's EELS tab."""
        for role in old.hidden ^ new.hidden:
            self.docks[role].setVisible(role not in new.hidden)
        for role, own in DOCK_DATA.items():
            if role in old.hidden - new.hidden and (roles & own or not self.compact):
                self.docks[role].raise_()

    def _fit(self, fit: Fit) -> None:
        if fit.movie and fit.no_scan and not self.compact:
            self._shrink_above("nbd", "movie")
        if fit.survey_map and not self.compact:
            docks = [self.docks["hrtem"], self.docks["eels"]]
            self.window.resizeDocks(docks, list(SURVEY_MAP_SPLIT), Qt.Orientation.Vertical)
        if fit.spectra and fit.image and self.compact:
            docks = [self.docks["movie"], self.docks[COMPACT_TABS[0]]]
            self.window.resizeDocks(docks, list(COMPACT_IMAGE_SPLIT), Qt.Orientation.Vertical)
        if fit.spectra and fit.movie and not self.compact:
            self._shrink_above("hrtem", "eels")
            width = max(self.window.width(), MIN_DOCK_SIZE[0])
            left = 2 * width // 5 if fit.image else width // 2
            columns = [self.docks["movie"], self.docks["hrtem"]]
            self.window.resizeDocks(columns, [left, width - left], Qt.Orientation.Horizontal)

    def _shrink_above(self, empty: str, shown: str) -> None:
        """In quadrants: the dock of ``empty`` at its minimum height, ``shown`` (same column) the
        rest."""
        tall = max(self.window.height(), MIN_DOCK_SIZE[1])
        docks = [self.docks[empty], self.docks[shown]]
        self.window.resizeDocks(docks, [MIN_DOCK_SIZE[1], tall], Qt.Orientation.Vertical)

"""The menu bar: File, Edit, View and Help, with their shortcuts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from insitu_tem import __version__
from insitu_tem.gui.shortcuts import ShortcutsDialog

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "index.md"
"""The user guide: docs/ of the source tree (absent from an installed wheel)."""


def add_action(window, menu: QMenu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    """A menu entry of ``window`` calling ``slot``, with an optional shortcut and status tip."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(shortcut)
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def build_menus(window) -> None:
    """Fill the menu bar of ``window`` (a :class:`~insitu_tem.gui.main_window.MainWindow`)."""
    _file_menu(window, window.menuBar().addMenu("&File"))
    _edit_menu(window, window.menuBar().addMenu("&Edit"))
    view = window.menuBar().addMenu("&View")
    for dock in window.docks.values():
        view.addAction(dock.toggleViewAction())
    view.addSeparator()
    window.reset_layout_action = add_action(
        window,
        view,
        "&Reset Layout",
        window.dock_layout.reset,
        tip="Every panel back in its place at its default size",
    )
    _help_menu(window, window.menuBar().addMenu("&Help"))


def _file_menu(window, menu: QMenu) -> None:
    window.open_action = add_action(
        window, menu, "&Open…", window.files.open_dialog, QKeySequence.StandardKey.Open
    )
    add_action(window, menu, "Open as &Pattern Series…", window.files.open_as_patterns_dialog)
    window.recent_menu = menu.addMenu("Open &Recent")
    add_action(window, menu, "Open &Sample Project", window.files.open_sample_project)
    add_action(
        window,
        menu,
        "Open Sample &Tilt Series",
        window.files.open_sample_tilt_series,
        tip="A core–shell nanowire phantom (HAADF and O map) in the Tomography panel",
    )
    menu.addSeparator()
    window.save_action = add_action(
        window, menu, "&Save Project", window.files.save_project, QKeySequence.StandardKey.Save
    )
    add_action(
        window,
        menu,
        "Save Project &As…",
        window.files.save_project_as,
        QKeySequence.StandardKey.SaveAs,
    )
    menu.addSeparator()
    add_action(window, menu, "&Export Figure…", lambda: window.workbench().exports.figure_dialog())
    add_action(
        window,
        menu,
        "Export &Movie…",
        lambda: window.workbench().exports.movie_dialog(
            window.state.dataset("movie"), **window.panels["movie"].export_choices()
        ),
    )
    add_action(
        window,
        menu,
        "Export Line-Scan &Profiles (CSV)…",
        lambda: window.workbench().exports.profiles_dialog(),
    )
    add_action(
        window,
        menu,
        "Export EELS &Window Map (TIFF, CSV)…",
        lambda: window.workbench().exports.eels_map_dialog(),
    )
    menu.addSeparator()
    add_action(window, menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    window.recent.attach(window.recent_menu)


def _edit_menu(window, menu: QMenu) -> None:
    undo = window.undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    redo = window.undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    menu.addActions([undo, redo])
    menu.addSeparator()
    add_action(window, menu, "Set &Calibration…", window.edits.calibration_dialog)
    window.place_eels_action = add_action(
        window,
        menu,
        "Place &EELS Scan Line on Movie",
        lambda: window.edits.start_scan_line_placement("eels"),
    )
    window.place_nbd_action = add_action(
        window,
        menu,
        "Place &NBD Scan Line on Movie",
        lambda: window.edits.start_scan_line_placement("nbd"),
    )


def _help_menu(window, menu: QMenu) -> None:
    window.shortcuts_action = add_action(
        window,
        menu,
        "&Keyboard Shortcuts",
        lambda: show_shortcuts(window),
        QKeySequence(QKeySequence.StandardKey.HelpContents),
    )
    guide = add_action(
        window,
        menu,
        "&User Guide",
        lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(GUIDE))),
        tip=str(GUIDE),
    )
    guide.setEnabled(GUIDE.exists())
    menu.addSeparator()
    add_action(
        window,
        menu,
        "&About insitu-tem",
        lambda: QMessageBox.about(
            window,
            "insitu-tem",
            f"insitu-tem {__version__}\nIn situ TEM workbench\nGPL-3.0-or-later",
        ),
    )


def show_shortcuts(window) -> ShortcutsDialog:
    """Help ▸ Keyboard Shortcuts (non-modal; one dialog reused)."""
    dialog = getattr(window, "shortcuts_dialog", None)
    if dialog is None:
        dialog = window.shortcuts_dialog = ShortcutsDialog(window)
    dialog.show()
    dialog.raise_()
    return dialog

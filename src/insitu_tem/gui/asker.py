"""Every question the window asks the user, behind one small object.

The window never opens a modal question itself: it asks its :class:`Asker`. The
desktop app uses :class:`DialogAsker`; ``--screenshot`` and tests use
:class:`HeadlessAsker`, which never blocks and records what it was asked. Which signal of a
file to open is asked without blocking (the answer comes back through a callback).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

if TYPE_CHECKING:
    from insitu_tem.io.signal_summaries import SignalSummary

Choice = Literal["save", "discard", "cancel"]


class Asker:
    """What the window may ask; subclasses decide how (dialogs, scripted answers)."""

    def yes_no(self, question: str) -> bool:
        """A yes/no question (e.g. recover an autosave); True for yes."""
        raise NotImplementedError

    def save_discard_cancel(self, question: str) -> Choice:
        """Unsaved changes are about to be lost: "save", "discard" or "cancel"."""
        raise NotImplementedError

    def locate(self, recorded_path: str, folder: str) -> str | None:
        """Where did a raw file that cannot be found go? A path, or None to skip it."""
        raise NotImplementedError

    def choose_signal(
        self,
        name: str,
        summaries: Sequence[SignalSummary],
        panels: Mapping[str, str],
        on_chosen: Callable[[int | None], None],
        *,
        preferred: int = 0,
    ) -> None:
        """Which signal of the file ``name`` to open (``summaries``: all of them; ``panels``:
        kind -> the panel that shows it; ``preferred``: the one offered first)?
        ``on_chosen(index)`` once answered (None: ``preferred``), never when the user cancels.
        Does not block."""
        raise NotImplementedError


class DialogAsker(Asker):
    """Modal message boxes and file dialogs over ``parent``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def yes_no(self, question: str) -> bool:
        return (
            QMessageBox.question(self.parent, "insitu-tem", question)
            == QMessageBox.StandardButton.Yes
        )

    def save_discard_cancel(self, question: str) -> Choice:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.parent,
            "insitu-tem",
            question,
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")

    def locate(self, recorded_path: str, folder: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self.parent, f"Where is {Path(recorded_path).name}? (moved or renamed)", folder
        )
        return path or None

    def choose_signal(self, name, summaries, panels, on_chosen, *, preferred: int = 0) -> None:
        from insitu_tem.gui.widgets.signal_chooser import SignalChooser

        dialog = SignalChooser(
            name, summaries, panels=panels, default=preferred, parent=self.parent
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(on_chosen)
        dialog.open()


class HeadlessAsker(Asker):
    """Answers without a user: no recovery, discard, skip missing files, the signal offered
    first; records every question.

    Tests set ``yes``, ``choice``, ``located`` or ``signal`` to script the user's answers.
    """

    def __init__(
        self,
        *,
        yes: bool = False,
        choice: Choice = "discard",
        located: str | None = None,
        signal: int | None = None,
    ) -> None:
        self.yes, self.choice, self.located, self.signal = yes, choice, located, signal
        self.questions: list[str] = []

    def yes_no(self, question: str) -> bool:
        self.questions.append(question)
        return self.yes

    def save_discard_cancel(self, question: str) -> Choice:
        self.questions.append(question)
        return self.choice

    def locate(self, recorded_path: str, folder: str) -> str | None:
        self.questions.append(f"locate {recorded_path}")
        return self.located

    def choose_signal(self, name, summaries, panels, on_chosen, *, preferred: int = 0) -> None:
        self.questions.append(f"signal of {name}")
        on_chosen(self.signal)

"""Every question the window asks the user, behind one small object.

The window never opens a modal question itself: it asks its :class:`Asker`. The
desktop app uses :class:`DialogAsker`; ``--screenshot`` and tests use
:class:`HeadlessAsker`, which never blocks and records what it was asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

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


class HeadlessAsker(Asker):
    """Answers without a user: no recovery, discard, skip missing files; records every question.

    Tests set ``yes``, ``choice`` or ``located`` to script the user's answers.
    """

    def __init__(
        self, *, yes: bool = False, choice: Choice = "discard", located: str | None = None
    ) -> None:
        self.yes, self.choice, self.located = yes, choice, located
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

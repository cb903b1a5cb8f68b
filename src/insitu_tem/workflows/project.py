"""Open a project file as a session with its datasets loaded (the CLI's way in; the GUI loads
each role on its task runner with :func:`load_role`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from insitu_tem.core.model import DataError
from insitu_tem.core.project import FileReference, load_session, locate
from insitu_tem.core.session import Session
from insitu_tem.io.load import load


def find_source(session: Session, role: str, project_path: str | Path) -> Path | None:
    """The file of ``role``: the recorded path, or a file of the same name and checksum below the
    project's folder (moved data); None when it cannot be found."""
    source = session.source(role)
    if source is None or source.path is None:
        return None
    return locate(FileReference(role, source.path, source.sha256, source.signal), project_path)


def load_role(session: Session, role: str, path: str | Path, *, lazy: bool | None = None) -> None:
    """Read ``path`` as ``role``'s recorded source and attach it (a moved file updates the path)."""
    source = session.source(role)
    dataset = load(path, signal=source.signal, kind=source.kind, lazy=lazy)
    if str(Path(path).resolve()) != source.path:
        session.add_source(role, replace(source, path=str(Path(path).resolve())))
    session.attach(role, dataset)


def open_session(
    path: str | Path,
    *,
    locate_missing: Callable[[str], str | None] | None = None,
    lazy: bool | None = None,
) -> Session:
    """Read a project and load every dataset it references (see :func:`load_datasets`)."""
    return load_datasets(load_session(path), path, locate_missing=locate_missing, lazy=lazy)


def load_datasets(
    session: Session,
    project_path: str | Path,
    *,
    locate_missing: Callable[[str], str | None] | None = None,
    lazy: bool | None = None,
) -> Session:
    """Load every recorded dataset of ``session`` (read from ``project_path``); returns ``session``.

    Parameters
    ----------
    locate_missing : callable(str) -> str or None, optional
        Asked for a file that cannot be found (its recorded path); None or no
        answer raises DataError.
    lazy : bool, optional
        Passed to :func:`insitu_tem.io.load.load`.
    """
    for role in session.roles:
        found = find_source(session, role, project_path)
        if found is None and locate_missing is not None:
            answer = locate_missing(session.source(role).path)
            found = Path(answer) if answer else None
        if found is None:
            raise DataError(
                f"cannot find {session.source(role).path} (the project's {role} file); it was "
                "moved "
                "or changed: open the project in the GUI to locate it"
            )
        load_role(session, role, found, lazy=lazy)
    return session

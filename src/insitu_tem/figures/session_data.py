"""The session's data a figure view draws, or one sentence saying it is missing."""

from __future__ import annotations

from insitu_tem.core.model import DataError, Dataset
from insitu_tem.core.session import Session


def require(session: Session, role: str) -> Dataset:
    """The session's dataset of ``role`` ("movie", "eels", "nbd"...).

    Raises
    ------
    DataError
        When the session has none.
    """
    dataset = session.dataset(role)
    if dataset is None:
        raise DataError(f"the session has no {role} data for this view")
    return dataset

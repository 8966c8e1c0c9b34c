"""The load-status vocabulary of ``staging.load_log.status``, declared once.

Every reader of the load log (``boligmonitor check``, :func:`boligmonitor.quality.reconciles`, the
published load summary and the *Datakvalitet* page) asks a status what it means through
:data:`STATUSES`, never by comparing with one literal. A status the readers do not know is an error
(:func:`info` raises ``KeyError``), so a new status cannot be misread silently.

=====================  ======  =========  ========  ==============================================
status                 loaded  reconcile  severity  meaning
=====================  ======  =========  ========  ==============================================
``ok``                 yes     yes        fact      every row loaded
``ok_with_quarantine`` yes     yes        warning   loaded; some rows quarantined (at most
                                                    :data:`~boligmonitor.ingest.rules.INCOMPLETE_SHARE`
                                                    of the rows read)
``incomplete``         yes     yes        warning   loaded, but more than that share quarantined:
                                                    the criteria and indicators built on this
                                                    register-year are unknown (``missing_years``)
``missing``            no      no         warning   an optional municipal file left out on purpose
                                                    (``build --allow-missing``); its indicators
                                                    "kan ikke måles"
``failed``             no      no         blocking  the file could not be loaded (the build stopped)
=====================  ======  =========  ========  ==============================================
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LoadStatus(StrEnum):
    OK = "ok"
    OK_WITH_QUARANTINE = "ok_with_quarantine"
    INCOMPLETE = "incomplete"
    MISSING = "missing"
    FAILED = "failed"


@dataclass(frozen=True)
class StatusInfo:
    status: LoadStatus
    loaded: bool  # the file's rows are in staging
    reconciles: bool  # rows read = rows loaded + rows quarantined must hold
    severity: str  # "fact", "warning" or "blocking" (what `check` makes of it)
    label_da: str  # Danish, for the Datakvalitet page


STATUSES: dict[LoadStatus, StatusInfo] = {
    LoadStatus.OK: StatusInfo(LoadStatus.OK, True, True, "fact", "indlæst"),
    LoadStatus.OK_WITH_QUARANTINE: StatusInfo(LoadStatus.OK_WITH_QUARANTINE, True, True, "warning",
                                              "indlæst, enkelte rækker i karantæne"),
    LoadStatus.INCOMPLETE: StatusInfo(LoadStatus.INCOMPLETE, True, True, "warning",
                                      "indlæst, men ufuldstændig: tal, der bygger på året, er ukendte"),
    LoadStatus.MISSING: StatusInfo(LoadStatus.MISSING, False, False, "warning",
                                   "mangler (udeladt ved kørslen): kan ikke måles"),
    LoadStatus.FAILED: StatusInfo(LoadStatus.FAILED, False, False, "blocking", "ikke indlæst (fejl)"),
}


def info(status: str) -> StatusInfo:
    """What a status in ``staging.load_log`` means. Raises ``KeyError`` for a status not declared here."""
    try:
        return STATUSES[LoadStatus(status)]
    except ValueError:
        raise KeyError(f"unknown load status {status!r}; known: {', '.join(s.value for s in LoadStatus)}") from None


def loaded(status: str) -> bool:
    return info(status).loaded


def reconciled(status: str) -> bool:
    return info(status).reconciles


def of_file(rows_read: int, rows_quarantined: int) -> LoadStatus:
    """The status of a file that was read (the same rule as the SQL in :func:`sql_case`)."""
    from boligmonitor.ingest.rules import is_incomplete

    if rows_quarantined == 0:
        return LoadStatus.OK
    if is_incomplete(rows_read, rows_quarantined):
        return LoadStatus.INCOMPLETE
    return LoadStatus.OK_WITH_QUARANTINE


def sql_case(read: str, quarantined: str) -> str:
    """SQL for :func:`of_file` over two column expressions (the load log is built in DuckDB)."""
    from boligmonitor.ingest.rules import INCOMPLETE_SHARE

    return (f"case when {quarantined} = 0 then '{LoadStatus.OK}' "
            f"when {quarantined} > {INCOMPLETE_SHARE!r} * {read} then '{LoadStatus.INCOMPLETE}' "
            f"else '{LoadStatus.OK_WITH_QUARANTINE}' end")

"""Cluster names a person gives: stored by the cluster's member rows, audit-logged, undoable.

A clustering's clusters are numbered afresh each time a clustering stage (``cluster`` or
``cluster_sphere``) runs, and a rerun with other parameters (or another model run, which is part of
the stage key) writes a new clustering. A name is therefore not tied to a stage key or a label
number but to the cluster's rows: it is stored under the SHA-256 of the cluster's sorted ``_row_id``
values on its version (its fingerprint). Any clustering of that version with a cluster of exactly
those rows shows the name; a cluster that gained or lost a single row is a different cluster and gets
its automatic keyword name back. A rerun that hits the cache keeps the very same clustering, and with
it the names.

The automatic name stays in ``cluster.name``; the names here override it when clusters are read
(:func:`storage.stage_outputs.read_clustering_at`).
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.errors import InputError
from storage.project import Project, current_user
from storage.rows import read_query
from storage.schema import Cluster, Clustering, ClusterName, StageResult

# Long enough for a descriptive phrase, short enough for a legend entry and a table cell.
MAX_NAME_LENGTH = 80


def members_fingerprint(rows: NDArray[np.int64]) -> str:
    """The fingerprint of a cluster: hex SHA-256 of its sorted member ``_row_id`` values.

    Parameters
    ----------
    rows : numpy.ndarray
        int64 (m,) member row ids, in any order (duplicates are not expected).

    Returns
    -------
    str
        64 hex digits; equal for equal row sets, whatever the order or the cluster's label.
    """
    ordered = np.sort(np.asarray(rows, dtype=np.int64)).astype("<i8")
    return hashlib.sha256(ordered.tobytes()).hexdigest()


def label_fingerprints(row_ids: NDArray[np.int64], labels: NDArray[np.int64]) -> dict[int, str]:
    """The fingerprint of each cluster of a clustering.

    Parameters
    ----------
    row_ids, labels : numpy.ndarray
        int64 (m,) pairs: a member row and its cluster's label (noise, -1, is never a member).

    Returns
    -------
    dict
        cluster label → :func:`members_fingerprint` of its rows.
    """
    row_ids = np.asarray(row_ids, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    order = np.lexsort((row_ids, labels))
    row_ids, labels = row_ids[order], labels[order]
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]]) if labels.size else np.zeros(0, int)
    ends = np.r_[starts[1:], labels.size]
    return {int(labels[a]): members_fingerprint(row_ids[a:b]) for a, b in zip(starts, ends, strict=True)}


def stored_names(project: Project, version_id: int) -> dict[str, str]:
    """The names given to clusters of a version: fingerprint → name (empty when none were given)."""
    with project.session() as s:
        found = s.execute(
            select(ClusterName.fingerprint, ClusterName.name).where(ClusterName.version_id == version_id)
        )
        return {fingerprint: name for fingerprint, name in found}


def copy_cluster_names(session: Session, source_version: int, target_version: int) -> int:
    """Give ``target_version`` the cluster names of ``source_version``, in the caller's transaction.

    For a version whose rows are its parent's (same ``_row_id`` values, e.g. a relabelled version
    that keeps its parent's map): its copied clusters have the same member rows, hence the same
    fingerprints, so the names apply to the same clusters. Returns how many names were copied.
    """
    have = set(
        session.scalars(select(ClusterName.fingerprint).where(ClusterName.version_id == target_version))
    )
    copied = 0
    for given in session.scalars(select(ClusterName).where(ClusterName.version_id == source_version)).all():
        if given.fingerprint not in have:
            session.add(
                ClusterName(
                    version_id=target_version,
                    fingerprint=given.fingerprint,
                    name=given.name,
                    author=given.author,
                    renamed_at=given.renamed_at,
                )
            )
            copied += 1
    return copied


def given_names(
    project: Project, version_id: int, row_ids: NDArray[np.int64], labels: NDArray[np.int64]
) -> dict[int, str]:
    """The given names of a clustering's clusters: label → name, for the clusters that have one.

    ``row_ids`` and ``labels`` are the clustering's members (int64, same length). The fingerprints are
    computed only when the version has any names (a sort and a hash per cluster: milliseconds for
    100,000 rows).
    """
    names = stored_names(project, version_id)
    if not names:
        return {}
    prints = label_fingerprints(row_ids, labels)
    return {label: names[fp] for label, fp in prints.items() if fp in names}


def clean_name(name: str) -> str:
    """A name as stored: runs of whitespace (newlines included) become one space, ends trimmed.

    Raises
    ------
    InputError
        When nothing is left, or more than :data:`MAX_NAME_LENGTH` characters are.
    """
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise InputError("A cluster needs a name: type at least one character.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InputError(
            f"That name has {len(cleaned)} characters; a cluster name may have at most {MAX_NAME_LENGTH}. "
            "Use a shorter one (keywords are kept in the cluster's tooltip)."
        )
    return cleaned


def _members(project: Project, clustering_id: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    members = read_query(
        project.engine,
        "SELECT m.row_id, c.label FROM cluster_member m JOIN cluster c ON c.id = m.cluster_id "
        f"WHERE c.clustering_id = {int(clustering_id)}",
        {"row_id": pl.Int64, "label": pl.Int64},
    )
    return members["row_id"].to_numpy(), members["label"].to_numpy()


def rename_cluster(
    project: Project,
    version_id: int,
    cluster_label: int,
    name: str,
    author: str | None = None,
    stage_key: str | None = None,
    stage: str = "cluster",
) -> str:
    """Name a cluster of a version's clustering; returns the name it had (for an undo).

    The name is stored under the cluster's member rows (see the module's docstring) in one
    transaction with an audit-log entry ``rename_cluster`` (version, cluster label, old and new name,
    rows, stage key). Giving a cluster its automatic keyword name removes the stored name, so an undo
    of a first rename leaves nothing behind. Renaming to the current name changes and logs nothing.

    Parameters
    ----------
    project : storage.project.Project
    version_id : int
    cluster_label : int
        The cluster's label in the clustering (``ClusterInfo.label``, the ``cluster`` column).
    name : str
        The new name; whitespace is normalised (:func:`clean_name`).
    author : str, optional
        Recorded in the audit log; defaults to the login name.
    stage_key : str, optional
        The clustering's stage key; defaults to the version's newest clustering made by ``stage``
        (the one the views and the CLI show).
    stage : str
        Which clustering when no ``stage_key`` is given: ``cluster`` (HDBSCAN on the map) or
        ``cluster_sphere`` (spherical k-means on the vectors). Names are stored by member rows, so
        a name given in either shows on any cluster of the version with exactly those rows.

    Returns
    -------
    str
        The name shown before: a given name, or the automatic one.

    Raises
    ------
    InputError
        When the name is empty or too long, the version has no clustering, the label is noise or not
        a cluster of it, or another cluster of the clustering already has that name.
    ProjectReadOnly
        When the project cannot be written (nothing is changed).
    """
    new = clean_name(name)
    label = int(cluster_label)
    if label < 0:
        raise InputError("Rows in no cluster (noise, label -1) are not a cluster and cannot be named.")
    with project.session() as s:
        query = select(Clustering.id, StageResult.key).join(StageResult)
        if stage_key is None:
            query = query.where(StageResult.version_id == version_id, StageResult.stage == stage)
        else:
            query = query.where(StageResult.key == stage_key)
        found = s.execute(query.order_by(StageResult.id.desc()).limit(1)).first()
        if found is None:
            raise InputError(
                f"Version {version_id} has no clusters yet: run the pipeline (`strata run`, or Ctrl+R "
                "in the window) first."
            )
        clustering_id, key = int(found[0]), str(found[1])
        found_names = s.execute(
            select(Cluster.label, Cluster.name).where(Cluster.clustering_id == clustering_id)
        )
        auto = {int(lab): str(auto_name) for lab, auto_name in found_names}
    if label not in auto:
        raise InputError(
            f"Version {version_id}'s clustering has no cluster {label}; its clusters are "
            f"0–{max(auto)} (see `strata clusters`)."
            if auto
            else f"Version {version_id}'s clustering has no clusters (every row is noise)."
        )
    row_ids, labels = _members(project, clustering_id)
    prints = label_fingerprints(row_ids, labels)
    given = stored_names(project, version_id)
    shown = {lab: given.get(prints.get(lab, ""), auto_name) for lab, auto_name in auto.items()}
    old = shown[label]
    if new == old:
        return old
    clash = next((lab for lab, n in shown.items() if lab != label and n.casefold() == new.casefold()), None)
    if clash is not None:
        raise InputError(f"Cluster {clash} is already named '{shown[clash]}'; choose another name.")
    fingerprint = prints[label]
    with project.session() as s:
        s.execute(
            delete(ClusterName).where(
                ClusterName.version_id == version_id, ClusterName.fingerprint == fingerprint
            )
        )
        if new != auto[label]:
            s.add(
                ClusterName(
                    version_id=version_id,
                    fingerprint=fingerprint,
                    name=new,
                    author=author or current_user(),
                )
            )
        detail = {
            "version": version_id,
            "cluster": label,
            "old": old,
            "new": new,
            "rows": int((labels == label).sum()),
            "stage_key": key,
        }
        project.log("rename_cluster", detail, s, author)
    return old

"""Encryption at rest with SQLCipher: the module, the key pragma and where a passphrase comes from.

The passphrase is never stored. It comes from the caller, else from a provider that the application
sets: the command line asks on the terminal, the window shows a dialog. The default provider reads
the environment variable ``STRATA_PASSPHRASE``, so scripts and CI work without a prompt.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from storage.errors import ProjectError

PASSPHRASE_ENV = "STRATA_PASSPHRASE"
PassphraseProvider = Callable[[Path], "str | None"]


def _from_environment(_path: Path) -> str | None:
    return os.environ.get(PASSPHRASE_ENV) or None


_provider: PassphraseProvider = _from_environment


def set_passphrase_provider(provider: PassphraseProvider) -> None:
    """Choose how a passphrase is obtained when an encrypted project is opened.

    Parameters
    ----------
    provider : callable
        ``provider(path) -> str or None``; None means no passphrase is available.
    """
    global _provider
    _provider = provider


def ask_passphrase(path: Path) -> str | None:
    """The passphrase for ``path``: ``STRATA_PASSPHRASE`` if set, else the provider's answer."""
    return _from_environment(path) or _provider(path)


def sqlcipher_module() -> ModuleType:
    """The SQLCipher DB-API module (``sqlcipher3``).

    Raises
    ------
    ProjectError
        When it is not installed: encrypted projects cannot be created or opened then, and nothing
        else is affected.
    """
    try:
        import sqlcipher3
    except ImportError:
        raise ProjectError(
            "Encrypted projects need SQLCipher, which is not installed here: `pip install sqlcipher3` "
            "(a wheel exists for Linux x86-64; elsewhere it needs the SQLCipher library to build)."
        ) from None
    module: ModuleType = sqlcipher3
    return module


def key_pragma(passphrase: str) -> str:
    """The ``PRAGMA key`` statement for ``passphrase`` (quoted as an SQL string literal)."""
    return "PRAGMA key = '" + passphrase.replace("'", "''") + "'"

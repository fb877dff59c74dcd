"""Where the catalogue files are, and their digest, without parsing them.

Kept apart from :mod:`asn_dash.catalogue` (whose validation models cost ~0.2 s to import) so
that opening a store whose catalogue tables are in step with the files, as every command-line
ingest does, only reads and hashes three small files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from asn_dash.errors import AsnError

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "catalogue"
ENV_VAR = "ASN_CATALOGUE"  # an alternative catalogue folder, e.g. for a trial of new plans
FILES = ("units.yaml", "indicators.yaml", "plans.yaml")


class CatalogueError(AsnError):
    """The catalogue files cannot be used as they are."""


def catalogue_dir(directory: Path | str | None = None) -> Path:
    """The catalogue folder: the argument, else ``$ASN_CATALOGUE``, else ``data/catalogue``."""
    return Path(directory or os.environ.get(ENV_VAR) or DEFAULT_DIR)


def file_bytes(directory: Path) -> dict[str, bytes]:
    """The three files' contents by name; a missing file is a :class:`CatalogueError`."""
    out = {}
    for name in FILES:
        path = directory / name
        try:
            out[name] = path.read_bytes()
        except FileNotFoundError:
            raise CatalogueError(
                f"Katalogfilen {path} saknas. Återställ den från git (git checkout -- {path.name}).",
                f"Catalogue file {path} is missing.",
            ) from None
    return out


def digest(contents: dict[str, bytes]) -> str:
    return hashlib.sha256(b"".join(contents[name] for name in FILES)).hexdigest()


def catalogue_digest(directory: Path | str | None = None) -> str:
    """The sha256 of the three files, as ``Catalogue.digest``: a store whose catalogue tables
    carry this digest is in step with the files."""
    return digest(file_bytes(catalogue_dir(directory)))

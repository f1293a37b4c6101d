"""Ed25519 signatures on decision records (the ``sign`` extra: the ``cryptography`` package).

A force signs a record with its private key; anyone holding the public key can check it.
The signature covers the canonical JSON (:func:`spo_advisor.model.digest.canonical`) of every
key of the record but ``signature`` itself, so the digest ``record_sha256`` is signed too.
The signature is stored in the record::

    "signature": {"algorithm": "ed25519", "public_key_sha256": "…", "value": "<base64>"}

Keys are PEM files (PKCS#8 private key, SubjectPublicKeyInfo public key), as
``openssl genpkey -algorithm ed25519`` and ``openssl pkey -pubout`` write them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spo_advisor.model.digest import SIGNATURE_KEY, canonical
from spo_advisor.model.errors import SpoAdvisorError

ALGORITHM = "ed25519"
NO_CRYPTOGRAPHY = ("signing needs the cryptography package: "
                   "pip install 'spo_advisor[sign]'")


class KeyFileError(SpoAdvisorError):
    """A key file that cannot be read or is not an Ed25519 key (bad input)."""


class SignatureFailure(SpoAdvisorError):
    """A record whose signature is missing, malformed or not made with the key given."""


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise KeyFileError(NO_CRYPTOGRAPHY) from None
    return serialization


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise KeyFileError(f"{path}: cannot read the key: {error.strerror or 'read failed'}") from None


def _private_key(path: str | Path) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    serialization = _crypto()
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path}: not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key")
    return key


def _public_key(path: str | Path) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    serialization = _crypto()
    try:
        key = serialization.load_pem_public_key(_read(path))
    except (ValueError, TypeError):
        raise KeyFileError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 key")
    return key


def _fingerprint(public_key: Any) -> str:
    serialization = _crypto()
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _content(record: Mapping[str, Any]) -> bytes:
    return canonical({key: value for key, value in record.items() if key != SIGNATURE_KEY})


def sign_record(record: Mapping[str, Any], private_key: str | Path) -> dict[str, Any]:
    """``record`` with a ``signature`` by the Ed25519 key in the PEM file ``private_key``
    (an earlier signature is replaced). Raises :class:`KeyFileError` for a bad key."""
    key = _private_key(private_key)
    value = base64.b64encode(key.sign(_content(record))).decode("ascii")
    signature = {"algorithm": ALGORITHM, "public_key_sha256": _fingerprint(key.public_key()),
                 "value": value}
    return {**{k: v for k, v in record.items() if k != SIGNATURE_KEY}, SIGNATURE_KEY: signature}


def check_signature(record: Mapping[str, Any], public_key: str | Path) -> str:
    """Check the record's signature with the Ed25519 key in the PEM file ``public_key``;
    the key's fingerprint (sha256 of its raw bytes) when it holds.

    Raises :class:`SignatureFailure` when the record is not signed, or not by this key, or
    was changed after signing, and :class:`KeyFileError` for a bad key file.
    """
    from cryptography.exceptions import InvalidSignature

    key = _public_key(public_key)
    signature = record.get(SIGNATURE_KEY)
    if not isinstance(signature, Mapping):
        raise SignatureFailure("the record is not signed")
    if signature.get("algorithm") != ALGORITHM:
        raise SignatureFailure("the record's signature is not an Ed25519 signature")
    fingerprint = _fingerprint(key)
    try:
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
        key.verify(value, _content(record))
    except (binascii.Error, InvalidSignature):
        if signature.get("public_key_sha256") != fingerprint:
            raise SignatureFailure("the record was not signed with this key") from None
        raise SignatureFailure("the signature does not match: the record was changed "
                               "after it was signed") from None
    return fingerprint

"""Imports: documents, a codebook, codings and whole projects from research data files.

Every service reads one upload (or a set of ``.txt`` files), refuses a file larger than
``settings.ANNOTATOR_MAX_UPLOAD_BYTES``, and runs in ONE transaction: on any bad input it raises
``ValidationError`` with a single message naming the file, the line or element, and the field,
and nothing is written. Parsing lives in ``annotator.exports``; here the rows are checked
against the database with the same rules as ``document_create`` and ``annotation_create``
(texts NFC with LF newlines and unique per project; codes of the project's codebook; offsets
inside the text) and written in bulk, which is what makes 10,000 documents take seconds.
"""

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from ...exports import archive as archive_format
from ...exports import formats
from ...exports.common import BadFile
from ...exports.tabular import parse_columns
from ...models import Annotation, Code, Codebook, Document, DocumentStatus, Membership, Project
from ...selectors.exports import code_paths
from ..annotations import _validate as validate_coding
from ..codebooks import record_import
from ..codes import code_save
from ..documents import normalise_text, text_sha256, word_count
from ..workflow import gold_user_for
from .coders import CoderMapper, CoderMatch, check_prefix, mapping_digest

Progress = Callable[..., Iterable]
BATCH = 1000


def _no_progress(items, **_):
    return items


@dataclass
class ImportResult:
    documents: int = 0
    codings: int = 0
    codings_existing: int = 0  # already stored: importing the same coding twice keeps one row
    users_created: int = 0
    codes: int = 0
    codes_existing: int = 0
    skipped_sources: int = 0
    coders: list[CoderMatch] = field(default_factory=list)  # how the file's coders were mapped
    warnings: list[str] = field(default_factory=list)  # deviations of the file that were accepted

    @property
    def mapping_digest(self) -> str:
        return mapping_digest(self.coders)

    def __str__(self) -> str:
        parts = [
            f"{self.documents} documents",
            f"{self.codings} codings",
            f"{self.codes} codes",
        ]
        if self.codings_existing:
            parts.append(f"{self.codings_existing} codings already present")
        if self.codes_existing:
            parts.append(f"{self.codes_existing} codes already present")
        if self.users_created:
            parts.append(f"{self.users_created} inactive coder accounts created")
        if self.skipped_sources:
            parts.append(f"{self.skipped_sources} non-text sources skipped")
        text = "Imported " + ", ".join(parts) + "."
        if self.warnings:
            text += " Warnings: " + " ".join(self.warnings)
        return text


def read_upload(file, filename: str) -> bytes:
    """The file's bytes, refusing more than the configured limit."""
    limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"{filename}: the file is larger than the limit of {limit:,} bytes.")
    return data


def column_mapping(spec: str) -> dict[str, str]:
    """The CSV ``columns`` text of the import page and the API (``"title=Headline,desk=Desk"``)
    as a ``{field: column}`` mapping; ``ValidationError`` naming the bad pair."""
    try:
        return parse_columns(spec)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


# The kinds of import behind the import page, the API and the commands: from the registry.
IMPORT_KINDS = tuple(formats.import_kinds())


def import_options(entry: formats.Format, **kwargs) -> formats.Options:
    """The format's options with the upload limit; ``ValidationError`` for a bad offset unit."""
    try:
        return entry.options(max_bytes=settings.ANNOTATOR_MAX_UPLOAD_BYTES, **kwargs)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def import_uploads(
    *,
    project: Project,
    user,
    kind: str,
    files,
    text_column: str = "",
    columns: dict[str, str] | None = None,
    offsets: str = "",
    placeholder_prefix: str = "",
    confirm: str | None = None,
    preview: bool = False,
) -> ImportResult:
    """Run the import ``kind`` (``IMPORT_KINDS``: what, then the format) on uploaded files
    (Django ``UploadedFile``s, with ``name`` and ``size``): several files for a format read one
    document per file (.txt), exactly one file otherwise. Codings without a coder are
    attributed to ``user``; the other coders are mapped as ``coders`` says, with
    ``placeholder_prefix``, ``confirm`` and ``preview`` as in ``annotations_import``
    (``preview`` of another kind is refused: only codings have a mapping to show)."""
    kinds = formats.import_kinds()
    if kind not in kinds:
        raise ValidationError(f"Unknown kind of import {kind!r}.")
    what, entry = kinds[kind]
    if preview and what != formats.CODINGS:
        raise ValidationError("Only an import of codings has a coder mapping to preview.")
    check_prefix(placeholder_prefix)
    options = import_options(
        entry, offsets=offsets, text_column=text_column or "text", columns=columns or {}
    )
    limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
    for upload in files:
        # The services check the size again while reading; this answers before any parsing.
        if upload.size > limit:
            raise ValidationError(
                f"{upload.name}: the file is larger than the limit of {limit:,} bytes."
            )
    if entry.many_files and what == formats.DOCUMENTS:
        return documents_import_files(
            project=project, format=entry.key, files=[(f.name, f) for f in files]
        )
    if len(files) != 1:
        raise ValidationError("Choose one file for this kind of import.")
    upload = files[0]
    common = {"project": project, "format": entry.key, "file": upload, "filename": upload.name}
    if what == formats.DOCUMENTS:
        return documents_import(**common, options=options)
    if what == formats.CODEBOOK:
        return codebook_import(**common, options=options, user=user)
    return annotations_import(
        **common,
        options=options,
        user=user,
        placeholder_prefix=placeholder_prefix,
        confirm=confirm,
        preview=preview,
    )


def _error(filename: str, where: str, exc: ValidationError) -> ValidationError:
    """One line naming file, place and field from a service's field errors."""
    if hasattr(exc, "message_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        problem = " ".join(messages)
        if field != NON_FIELD_ERRORS:
            problem = f"field {field}: {problem}"
    else:
        problem = " ".join(exc.messages)
    return ValidationError(f"{', '.join(p for p in (filename, where) if p)}: {problem}")


def _parse(reader, *args, **kwargs):
    try:
        return reader(*args, **kwargs)
    except BadFile as exc:
        raise ValidationError(str(exc)) from None


def _create_documents(project, items, filename, progress: Progress, *, keep_order=False):
    """Validate every document first, then insert them in bulk. Returns the new documents."""
    existing = set(Document.objects.filter(project=project).values_list("text_sha256", flat=True))
    last = max(Document.objects.filter(project=project).values_list("order", flat=True), default=0)
    documents, seen = [], set()
    for position, (where, row) in enumerate(progress(items, desc="checking"), start=1):
        text = normalise_text(row.text)
        if not text.strip():
            raise ValidationError(f"{filename}, {where}: field text: the text is empty.")
        digest = text_sha256(text)
        if digest in existing or digest in seen:
            raise ValidationError(
                f"{filename}, {where}: field text: the project already has a document with "
                "the same text (same SHA-256)."
            )
        seen.add(digest)
        document = Document(
            project=project,
            text=text,
            text_sha256=digest,
            length=len(text),
            word_count=word_count(text),
            external_id=row.external_id,
            title=row.title,
            source=row.source,
            author=row.author,
            url=row.url,
            published=row.published,
            metadata=row.metadata,
            order=row.order if keep_order else last + position,
        )
        try:
            # Uniqueness was checked above for the whole file at once.
            document.full_clean(
                exclude=["text_sha256", "length", "project"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            raise _error(filename, where, exc) from None
        documents.append(document)
    Document.objects.bulk_create(documents, batch_size=BATCH)
    if keep_order:
        _restore_times(Document, documents, [row.created_at for _, row in items], "created_at")
    return documents


def _restore_times(model, objects, times, *fields):
    """Set stored times: ``auto_now``/``auto_now_add`` overwrite them during insert."""
    changed = []
    for obj, value in zip(objects, times, strict=True):
        if value is not None:
            for field in fields:
                setattr(obj, field, value)
            changed.append(obj)
    if changed:
        model.objects.bulk_update(changed, list(fields), batch_size=BATCH)


def _documents_for(project, items, filename, progress):
    """Match each row to the project's document with the same text, creating missing ones."""
    by_hash = {d.text_sha256: d for d in Document.objects.filter(project=project).defer("metadata")}
    missing, targets, wanted = [], [], set()
    for where, row in items:
        digest = text_sha256(normalise_text(row.text))
        targets.append(digest)
        if digest not in by_hash and digest not in wanted:
            wanted.add(digest)
            missing.append((where, row))
    created = _create_documents(project, missing, filename, progress)
    by_hash.update({d.text_sha256: d for d in created})
    for document in by_hash.values():
        document.project = project  # avoids one query per coding in the validation
    return [by_hash[digest] for digest in targets], len(created)


def _create_codings(project, pairs, filename, coders, progress, *, auto_status=True):
    """Store ``(where, document, CodingRow)`` codings with ``annotation_create``'s rules."""
    paths = {path: code_id for code_id, path in code_paths(project.codebook_id).items()}
    codes = {c.pk: c for c in Code.objects.filter(codebook_id=project.codebook_id)}
    names = {}
    for code in codes.values():
        names.setdefault(code.name, []).append(code)
    existing = set(
        Annotation.objects.filter(document__in={d.pk for _, d, _ in pairs}).values_list(
            "document_id", "coder_id", "code_id", "start_offset", "end_offset"
        )
    )
    new, times, statuses, already = [], [], set(), 0
    for where, document, row in progress(pairs, desc="codings"):
        code = codes.get(paths.get(row.code_path))
        if code is None and len(names.get(row.code_path, [])) == 1:
            code = names[row.code_path][0]  # a bare name from a flat codebook elsewhere
        if code is None:
            raise ValidationError(
                f"{filename}, {where}: field code: {row.code_path!r} is not a code of the "
                f"codebook {project.codebook.name!r}."
            )
        try:
            coder = coders.get(row.coder)
            validate_coding(
                document=document, code=code, start_offset=row.start, end_offset=row.end
            )
        except ValidationError as exc:
            raise _error(filename, where, exc) from None
        key = (document.pk, coder.pk, code.pk, row.start, row.end)
        if key in existing:
            already += 1
            continue
        existing.add(key)
        statuses.add((document.pk, coder.pk))
        new.append(
            Annotation(
                document=document,
                coder=coder,
                code=code,
                start_offset=row.start,
                end_offset=row.end,
                memo=row.memo,
            )
        )
        times.append(row)
    Annotation.objects.bulk_create(new, batch_size=BATCH)
    changed = []
    for annotation, row in zip(new, times, strict=True):
        if row.created_at is not None:
            annotation.created_at = row.created_at
            annotation.updated_at = row.updated_at or row.created_at
            changed.append(annotation)
    Annotation.objects.bulk_update(changed, ["created_at", "updated_at"], batch_size=BATCH)
    if auto_status:
        DocumentStatus.objects.bulk_create(
            [DocumentStatus(document_id=d, coder_id=c) for d, c in sorted(statuses)],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
    return len(new), already


def _lock(project: Project) -> None:
    """Serialise imports into one project: a second import submitted at the same time waits
    for the first and then sees what it wrote (its codings count as already present)."""
    Project.objects.select_for_update().filter(pk=project.pk).exists()


def _atomic_import(function):
    """One transaction; a write that collides with a concurrent import (a unique constraint)
    is answered with a message instead of a server error, and nothing is written."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return function(*args, **kwargs)
        except IntegrityError:
            raise ValidationError(
                "Another import changed this project at the same time; nothing was written. "
                "Try again."
            ) from None

    return wrapper


def _read(entry: formats.Format, file, filename: str, options) -> formats.Content:
    return _parse(entry.read, read_upload(file, filename), filename, options)


def _entry(format: str, what: str) -> formats.Format:
    entry = formats.REGISTRY.get(format)
    if entry is None or what not in entry.imports:
        raise ValidationError(f"{format!r} is no format to import {what} from.")
    return entry


@_atomic_import
def documents_import_files(
    *, project: Project, format: str = "txt", files, progress: Progress = _no_progress
) -> ImportResult:
    """One document per ``(filename, binary file)`` of a one-document-per-file format."""
    entry = _entry(format, formats.DOCUMENTS)
    options = import_options(entry)
    items = []
    for filename, file in files:
        items.extend(_read(entry, file, filename, options).documents)
    _lock(project)
    created = _create_documents(project, items, "", progress)
    return ImportResult(documents=len(created))


@_atomic_import
def documents_import(
    *,
    project: Project,
    format: str,
    file,
    filename: str,
    options: formats.Options | None = None,
    progress: Progress = _no_progress,
) -> ImportResult:
    """The documents of a file in ``format`` (its codings, if any, are ignored: see
    ``annotations_import``)."""
    entry = _entry(format, formats.DOCUMENTS)
    content = _read(entry, file, filename, options or import_options(entry))
    _lock(project)
    created = _create_documents(project, content.documents, filename, progress)
    return ImportResult(documents=len(created), warnings=content.warnings)


def documents_import_txt(*, project: Project, files, progress: Progress = _no_progress):
    """One document per ``(filename, binary file)``; the title is the file name without ``.txt``."""
    return documents_import_files(project=project, format="txt", files=files, progress=progress)


def documents_import_csv(
    *,
    project: Project,
    file,
    filename: str,
    text_column: str,
    columns: dict[str, str],
    progress: Progress = _no_progress,
) -> ImportResult:
    entry = formats.REGISTRY["documents-csv"]
    options = import_options(entry, text_column=text_column, columns=columns)
    return documents_import(
        project=project,
        format=entry.key,
        file=file,
        filename=filename,
        options=options,
        progress=progress,
    )


def documents_import_jsonl(
    *, project: Project, file, filename: str, progress: Progress = _no_progress
) -> ImportResult:
    """Documents only (their ``annotations``/``label`` are ignored: see ``annotations_import``)."""
    return documents_import(
        project=project, format="jsonl", file=file, filename=filename, progress=progress
    )


@_atomic_import
def annotations_import(
    *,
    project: Project,
    format: str,
    file,
    filename: str,
    options: formats.Options | None = None,
    user=None,
    placeholder_prefix: str = "",
    confirm: str | None = None,
    preview: bool = False,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Codings from a file in ``format``; documents are matched by text (missing ones are
    created), codes by path or name in the project's codebook, coders mapped by
    ``coders.CoderMapper``; codings naming no coder are ``user``'s.

    ``preview`` reads the file and returns the coder mapping without writing anything;
    ``confirm`` (a ``mapping_digest``) refuses the import if the mapping is no longer that one.
    """
    entry = _entry(format, formats.CODINGS)
    content = _read(entry, file, filename, options or import_options(entry))
    items, skipped, prefix = content.documents, content.skipped_sources, placeholder_prefix
    if not preview:
        _lock(project)
    coders = CoderMapper(project, user, prefix=prefix)
    try:
        mapping = coders.plan(c.coder for _, row in items for c in row.codings)
    except ValidationError as exc:
        raise _error(filename, "", exc) from None
    result = ImportResult(skipped_sources=skipped, coders=mapping, warnings=content.warnings)
    if preview:
        return result
    if confirm is not None and confirm != mapping_digest(mapping):
        raise ValidationError(
            "The coder mapping changed since it was shown (members or accounts changed); "
            "check the new mapping and confirm again."
        )
    documents, created = _documents_for(project, items, filename, progress)
    pairs = [
        (f"{where}, coding {i}", document, coding)
        for (where, row), document in zip(items, documents, strict=True)
        for i, coding in enumerate(row.codings, start=1)
    ]
    new, already = _create_codings(project, pairs, filename, coders, progress)
    result.documents, result.codings, result.codings_existing = created, new, already
    result.users_created = coders.created
    return result


def annotations_import_jsonl(*, project: Project, file, filename: str, **kwargs) -> ImportResult:
    """Codings from Annotator JSON Lines (``annotations_import`` with ``format="jsonl"``)."""
    return annotations_import(
        project=project, format="jsonl", file=file, filename=filename, **kwargs
    )


def annotations_import_qdpx(*, project: Project, file, filename: str, **kwargs) -> ImportResult:
    """Codings of a REFI-QDA project (``annotations_import`` with ``format="qdpx"``)."""
    return annotations_import(
        project=project, format="qdpx", file=file, filename=filename, **kwargs
    )


@_atomic_import
def codebook_import(
    *,
    project: Project,
    format: str,
    file,
    filename: str,
    options: formats.Options | None = None,
    user=None,
) -> ImportResult:
    """Add the codes of a codebook file (``.qdc``, or the codebook of a ``.qdpx``) to the
    project's codebook; codes already there (same path) are kept as they are."""
    entry = _entry(format, formats.CODEBOOK)
    content = _read(entry, file, filename, options or import_options(entry))
    _lock(project)
    known = set(Code.objects.filter(codebook=project.codebook_id).values_list("pk", flat=True))
    result = _create_codes(project.codebook, content.codes, filename)
    # The new codes join the codebook's draft and its audit trail.
    record_import(codebook=project.codebook, user=user, filename=filename, known=known)
    result.warnings = content.warnings
    return result


def codebook_import_qdc(*, project: Project, file, filename: str, user=None) -> ImportResult:
    """A ``.qdc`` or a ``.qdpx`` given as a codebook: both bring their codes."""
    return codebook_import(project=project, format="qdc", file=file, filename=filename, user=user)


def _create_codes(codebook: Codebook, rows, filename) -> ImportResult:
    """Each new code through ``codes.code_save``: the hierarchy rules of the codebook page."""
    by_path = {}
    existing = {path: code_id for code_id, path in code_paths(codebook.pk).items()}
    if existing:
        codes = Code.objects.filter(codebook=codebook).in_bulk()
        by_path = {path: codes[code_id] for path, code_id in existing.items()}
    result = ImportResult()
    for row in sorted(rows, key=lambda r: r.path.count("/")):
        if row.path in by_path:
            result.codes_existing += 1
            continue
        parent = by_path.get(row.parent_path) if row.parent_path else None
        if row.parent_path and parent is None:
            raise ValidationError(
                f"{filename}, code {row.path!r}: field parent: {row.parent_path!r} is not a code."
            )
        try:
            code = code_save(
                code=Code(codebook=codebook),
                data={
                    "name": row.name,
                    "parent": parent,
                    "color": row.color,
                    "definition": row.definition,
                    "inclusion_criteria": row.inclusion_criteria,
                    "exclusion_criteria": row.exclusion_criteria,
                    "example": row.example,
                    "shortcut": row.shortcut,
                    "order": row.order,
                    "is_active": row.is_active,
                },
            )
        except ValidationError as exc:
            raise _error(filename, f"code {row.path!r}", exc) from None
        by_path[row.path] = code
        result.codes += 1
    return result


_GOLD_NAME = re.compile(r"gold-standard-\d+\Z")


class _ArchiveUsers:
    """Usernames of an archive (restored by an operator's command): matched to accounts of the
    same name, else created inactive without a password (names Django would refuse are refused).
    The archive's gold-standard coder becomes the new project's gold standard."""

    def __init__(self, project):
        self.project, self.users, self.created = project, {}, 0
        self.User = get_user_model()
        self.validator = UnicodeUsernameValidator()

    def is_gold(self, username: str) -> bool:
        return bool(_GOLD_NAME.match(username))

    def get(self, username: str):
        user = self.users.get(username)
        if user is not None:
            return user
        if self.is_gold(username):
            user = gold_user_for(self.project)
        else:
            try:
                self.validator(username)
            except ValidationError:
                raise ValidationError(
                    {"coder": f"{username!r} is not a valid user name."}
                ) from None
            if len(username) > 150:
                raise ValidationError({"coder": "longer than 150 characters."})
            user = self.User.objects.filter(**{self.User.USERNAME_FIELD: username}).first()
            if user is None:
                user = self.User.objects.create_user(
                    username=username, password=None, is_active=False
                )
                self.created += 1
        self.users[username] = user
        return user


@_atomic_import
def project_import_archive(
    *, file, filename: str, name: str = "", progress: Progress = _no_progress
) -> Project:
    """Restore an archive as a NEW project (its codebook, documents, members, codings, times).

    The project keeps the archive's name unless ``name`` is given; a project of that name must
    not exist. The codebook keeps its name, or becomes "<codebook> (<project>)" when taken.
    """
    head, items = _parse(archive_format.read_archive, read_upload(file, filename), filename)
    name = name or head.name
    if Project.objects.filter(name=name).exists():
        raise ValidationError(
            f"{filename}: field project.name: a project named {name!r} already exists; "
            "import it under another name."
        )
    book_name = head.codebook_name
    if Codebook.objects.filter(name=book_name).exists():
        book_name = f"{head.codebook_name} ({name})"
    codebook = Codebook.objects.create(name=book_name, description=head.codebook_description)
    _create_codes(codebook, head.codes, filename)
    project = Project(
        name=name,
        description=head.description,
        codebook=codebook,
        granularity=head.granularity,
        blind_coding=head.blind_coding,
    )
    try:
        project.full_clean()
    except ValidationError as exc:
        raise _error(filename, "project", exc) from None
    project.save()
    _restore_times(Project, [project], [head.created_at], "created_at")
    # An archive names its members; coders who have left the project stay non-members.
    coders = _ArchiveUsers(project)
    roles = Membership.Role.values
    seen = set()
    for index, member in enumerate(head.members):
        where = f"members[{index}]"
        if member.role not in roles:
            raise ValidationError(f"{filename}, {where}: field role: unknown role {member.role!r}.")
        if member.username in seen:
            raise ValidationError(
                f"{filename}, {where}: field username: {member.username!r} is listed twice."
            )
        seen.add(member.username)
        if coders.is_gold(member.username):
            continue  # the gold standard is a coder set, never a member
        try:
            user = coders.get(member.username)
        except ValidationError as exc:
            raise _error(filename, where, exc) from None
        Membership.objects.create(user=user, project=project, role=member.role)
    documents = _create_documents(project, items, filename, progress, keep_order=True)
    pairs = [
        (f"{where}.codings[{i}]", document, coding)
        for (where, row), document in zip(items, documents, strict=True)
        for i, coding in enumerate(row.codings)
    ]
    _create_codings(project, pairs, filename, coders, progress, auto_status=False)
    statuses = []
    for (where, row), document in zip(items, documents, strict=True):
        for k, status in enumerate(row.statuses):
            here = f"{where}.statuses[{k}]"
            if status.state not in DocumentStatus.State.values:
                raise ValidationError(
                    f"{filename}, {here}: field state: unknown state {status.state!r}."
                )
            try:
                coder = coders.get(status.coder)
            except ValidationError as exc:
                raise _error(filename, here, exc) from None
            statuses.append(DocumentStatus(document=document, coder=coder, state=status.state))
    DocumentStatus.objects.bulk_create(statuses, batch_size=BATCH)
    return project

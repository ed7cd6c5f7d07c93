"""Imports: documents, a codebook, codings and whole projects from research data files.

Every service reads one upload (or a set of ``.txt`` files), refuses a file larger than
``settings.ANNOTATOR_MAX_UPLOAD_BYTES``, and runs in ONE transaction: on any bad input it raises
``ValidationError`` with a single message naming the file, the line or element, and the field,
and nothing is written. Parsing lives in ``annotator.exports``; here the rows are checked
against the database with the same rules as ``document_create`` and ``annotation_create``
(texts NFC with LF newlines and unique per project; codes of the project's codebook; offsets
inside the text) and written in bulk, which is what makes 10,000 documents take seconds.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from ..exports import archive as archive_format
from ..exports import jsonl, refi_read, tabular
from ..exports.common import BadFile, decode_text
from ..exports.rows import DocumentRow
from ..exports.tabular import parse_columns
from ..models import Annotation, Code, Codebook, Document, DocumentStatus, Membership, Project
from ..selectors.exports import code_paths
from .annotations import _validate as validate_coding
from .documents import normalise_text, text_sha256

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
        return "Imported " + ", ".join(parts) + "."


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


# The kinds of import behind the import page and the API, each one service below.
IMPORT_KINDS = (
    "documents-txt",
    "documents-csv",
    "documents-jsonl",
    "codebook-qdc",
    "annotations-jsonl",
    "annotations-qdpx",
)


def import_uploads(
    *,
    project: Project,
    user,
    kind: str,
    files,
    text_column: str = "",
    columns: dict[str, str] | None = None,
) -> ImportResult:
    """Run the import ``kind`` on uploaded files (Django ``UploadedFile``s, with ``name`` and
    ``size``): several ``.txt`` files, or exactly one file of the other kinds. Codings without
    a coder are attributed to ``user``."""
    if kind not in IMPORT_KINDS:
        raise ValidationError(f"Unknown kind of import {kind!r}.")
    limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
    for upload in files:
        # The services check the size again while reading; this answers before any parsing.
        if upload.size > limit:
            raise ValidationError(
                f"{upload.name}: the file is larger than the limit of {limit:,} bytes."
            )
    if kind == "documents-txt":
        return documents_import_txt(project=project, files=[(f.name, f) for f in files])
    if len(files) != 1:
        raise ValidationError("Choose one file for this kind of import.")
    upload = files[0]
    common = {"project": project, "file": upload, "filename": upload.name}
    if kind == "documents-csv":
        return documents_import_csv(
            **common, text_column=text_column or "text", columns=columns or {}
        )
    if kind == "documents-jsonl":
        return documents_import_jsonl(**common)
    if kind == "codebook-qdc":
        return codebook_import_qdc(**common)
    if kind == "annotations-jsonl":
        return annotations_import_jsonl(**common, user=user)
    return annotations_import_qdpx(**common, user=user)


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


class _Coders:
    """Usernames -> users; unknown names become inactive accounts and annotators of the project."""

    def __init__(self, project, default, *, add_members=True):
        self.project, self.default, self.users, self.created = project, default, {}, 0
        self.add_members = add_members
        self.members = set(
            Membership.objects.filter(project=project).values_list("user_id", flat=True)
        )

    def get(self, username: str, filename: str, where: str):
        if not username:
            if self.default is None:
                raise ValidationError(f"{filename}, {where}: field coder: missing.")
            return self.default
        user = self.users.get(username)
        if user is None:
            User = get_user_model()
            if len(username) > 150:
                raise ValidationError(
                    f"{filename}, {where}: field coder: longer than 150 characters."
                )
            user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
            if user is None:
                user = User.objects.create_user(username=username, password=None, is_active=False)
                self.created += 1
            self.users[username] = user
        if self.add_members and user.pk not in self.members:
            Membership.objects.create(
                user=user, project=self.project, role=Membership.Role.ANNOTATOR
            )
            self.members.add(user.pk)
        return user


def _create_codings(project, pairs, filename, coders: _Coders, progress, *, auto_status=True):
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
        coder = coders.get(row.coder, filename, where)
        try:
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


@transaction.atomic
def documents_import_txt(
    *, project: Project, files, progress: Progress = _no_progress
) -> ImportResult:
    """One document per ``(filename, binary file)``; the title is the file name without ``.txt``."""
    items = []
    for filename, file in files:
        text = _parse(decode_text, read_upload(file, filename), filename)
        title = filename.rsplit("/", 1)[-1].removesuffix(".txt")
        items.append((filename, DocumentRow(id=None, text=text, title=title)))
    created = _create_documents(project, items, "", progress)
    return ImportResult(documents=len(created))


@transaction.atomic
def documents_import_csv(
    *,
    project: Project,
    file,
    filename: str,
    text_column: str,
    columns: dict[str, str],
    progress: Progress = _no_progress,
) -> ImportResult:
    data = read_upload(file, filename)
    items = _parse(
        tabular.read_documents_csv, data, filename, text_column=text_column, columns=columns
    )
    return ImportResult(documents=len(_create_documents(project, items, filename, progress)))


@transaction.atomic
def documents_import_jsonl(
    *, project: Project, file, filename: str, progress: Progress = _no_progress
) -> ImportResult:
    """Documents only (their ``annotations``/``label`` are ignored: see ``annotations_import_jsonl``)."""
    items = _parse(jsonl.read_jsonl, read_upload(file, filename), filename)
    return ImportResult(documents=len(_create_documents(project, items, filename, progress)))


def _import_codings(project, items, filename, user, progress) -> ImportResult:
    documents, created = _documents_for(project, items, filename, progress)
    coders = _Coders(project, user)
    pairs = [
        (f"{where}, coding {i}", document, coding)
        for (where, row), document in zip(items, documents, strict=True)
        for i, coding in enumerate(row.codings, start=1)
    ]
    new, already = _create_codings(project, pairs, filename, coders, progress)
    return ImportResult(
        documents=created, codings=new, codings_existing=already, users_created=coders.created
    )


@transaction.atomic
def annotations_import_jsonl(
    *, project: Project, file, filename: str, user=None, progress: Progress = _no_progress
) -> ImportResult:
    """Codings from JSON Lines; documents are matched by text (missing ones are created).

    ``label`` spans without a coder are attributed to ``user``.
    """
    items = _parse(jsonl.read_jsonl, read_upload(file, filename), filename)
    return _import_codings(project, items, filename, user, progress)


@transaction.atomic
def annotations_import_qdpx(
    *, project: Project, file, filename: str, user=None, progress: Progress = _no_progress
) -> ImportResult:
    """Codings of a REFI-QDA project. Users are matched by name (or created inactive), codes by
    path or name in the project's codebook, documents by text (missing ones are created)."""
    content = _parse(refi_read.read_qdpx, read_upload(file, filename), filename)
    result = _import_codings(project, content.documents, filename, user, progress)
    result.skipped_sources = content.skipped_sources
    return result


@transaction.atomic
def codebook_import_qdc(*, project: Project, file, filename: str) -> ImportResult:
    """Add a REFI-QDA codebook's codes to the project's codebook; codes already there (same
    path) are kept as they are."""
    rows = _parse(refi_read.read_qdc, read_upload(file, filename), filename)
    return _create_codes(project.codebook, rows, filename)


def _create_codes(codebook: Codebook, rows, filename) -> ImportResult:
    ids = {path: code_id for code_id, path in code_paths(codebook.pk).items()}
    result = ImportResult()
    for row in sorted(rows, key=lambda r: r.path.count("/")):
        if row.path in ids:
            result.codes_existing += 1
            continue
        code = Code(
            codebook=codebook,
            name=row.name,
            parent_id=ids.get(row.parent_path),
            color=row.color,
            definition=row.definition,
            inclusion_criteria=row.inclusion_criteria,
            exclusion_criteria=row.exclusion_criteria,
            example=row.example,
            shortcut=row.shortcut,
            order=row.order,
            is_active=row.is_active,
        )
        try:
            code.full_clean()
        except ValidationError as exc:
            raise _error(filename, f"code {row.path!r}", exc) from None
        code.save()
        ids[row.path] = code.pk
        result.codes += 1
    return result


@transaction.atomic
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
    coders = _Coders(project, None, add_members=False)
    roles = Membership.Role.values
    seen = set()
    for index, member in enumerate(head.members):
        if member.role not in roles:
            raise ValidationError(
                f"{filename}, members[{index}]: field role: unknown role {member.role!r}."
            )
        if member.username in seen:
            raise ValidationError(
                f"{filename}, members[{index}]: field username: {member.username!r} is listed twice."
            )
        seen.add(member.username)
        user = coders.get(member.username, filename, f"members[{index}]")
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
            if status.state not in DocumentStatus.State.values:
                raise ValidationError(
                    f"{filename}, {where}.statuses[{k}]: field state: unknown state {status.state!r}."
                )
            coder = coders.get(status.coder, filename, f"{where}.statuses[{k}]")
            statuses.append(DocumentStatus(document=document, coder=coder, state=status.state))
    DocumentStatus.objects.bulk_create(statuses, batch_size=BATCH)
    return project

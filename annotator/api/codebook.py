"""The codebook editor in the API: delete, move, merge, split, the draft, publishing, versions,
the audit trail and the import of a REFI-QDA codebook into the draft.

The same services as the pages (``services.codebooks``). Managers only, except reading the
published versions (every member). Adding and changing codes are the existing
``codebook/codes/`` endpoints, which go through the same services.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from .. import access
from ..models import CodebookChange, CodebookVersion, Membership
from ..services import codebooks
from ..services.imports import read_upload
from .base import BaseApi, Pagination, StrictSerializer, errors, paginate
from .projects import CodeDetailApi, _code_for
from .serializers import MAX_ID, CodeOutput, UploadField

MANAGER = Membership.Role.MANAGER
TAG = ["codebooks"]


class MoveInput(StrictSerializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


class MergeInput(StrictSerializer):
    source = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Merged away.")  # type: ignore[assignment]  # stub: Field.source
    target = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Kept.")


class MergeOutput(serializers.Serializer):
    moved = serializers.IntegerField()
    collapsed = serializers.IntegerField(help_text="Duplicates joined into the target's coding.")
    code = CodeOutput()


class SplitInput(StrictSerializer):
    name = serializers.CharField(max_length=200)
    annotations = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        help_text="Ids of this code's codings to move to the new code.",
    )


class SplitOutput(serializers.Serializer):
    moved = serializers.IntegerField()
    code = CodeOutput()


class PublishInput(StrictSerializer):
    note = serializers.CharField(max_length=codebooks.MAX_NOTE)


class VersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField()
    published_by = serializers.CharField(
        source="published_by.username", default=None, allow_null=True
    )
    published_at = serializers.DateTimeField()
    changes = serializers.ListField(child=serializers.CharField(), source="change_lines")


class VersionDetailOutput(VersionOutput):
    codes = serializers.ListField(child=serializers.DictField(), source="snapshot")


class DraftOutput(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True, help_text="The latest published version.")
    changes = serializers.ListField(child=serializers.CharField())


class ChangeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    user = serializers.CharField(source="user.username", default=None)
    action = serializers.CharField()
    code = serializers.IntegerField(source="code_id", allow_null=True)
    code_path = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    version = serializers.IntegerField(source="version.number", default=None)


class ImportInput(StrictSerializer):
    file = UploadField(help_text="A REFI-QDA codebook (.qdc) or project (.qdpx).")
    preview = serializers.BooleanField(
        default=False, help_text="true: answer what would change and write nothing."
    )


class ImportOutput(serializers.Serializer):
    preview = serializers.BooleanField()
    changes = serializers.ListField(child=serializers.CharField())


def _manager(request, project_id):
    return access.project_for(request.user, project_id, role=MANAGER).project


class CodeDetailEditApi(CodeDetailApi):
    @extend_schema(
        tags=TAG,
        summary="Delete a code without codings or sub-codes (managers)",
        responses={204: None, **errors(400, 401, 403, 404)},
    )
    def delete(self, request, project_id: int, code_id: int):
        code = _code_for(request.user, project_id, code_id, role=MANAGER)
        codebooks.code_delete(code=code, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CodeMoveApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="Move a code up or down among its siblings (managers)",
        request=MoveInput,
        responses={200: CodeOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int, code_id: int):
        code = _code_for(request.user, project_id, code_id, role=MANAGER)
        data = MoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        code = codebooks.code_move(code=code, user=request.user, **data.validated_data)
        return Response(CodeOutput(code).data)


class CodeSplitApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="Move selected codings of a code to a new sibling code (managers)",
        request=SplitInput,
        responses={201: SplitOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int, code_id: int):
        code = _code_for(request.user, project_id, code_id, role=MANAGER)
        data = SplitInput(data=request.data)
        data.is_valid(raise_exception=True)
        new, moved = codebooks.code_split(
            code=code,
            user=request.user,
            name=data.validated_data["name"],
            annotation_ids=data.validated_data["annotations"],
            project=_manager(request, project_id),
        )
        return Response({"moved": moved, "code": CodeOutput(new).data}, status=201)


class CodeMergeApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="Merge one code into another: codings and sub-codes move (managers)",
        request=MergeInput,
        responses={200: MergeOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        _manager(request, project_id)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        source = _code_for(request.user, project_id, data.validated_data["source"], role=MANAGER)
        target = _code_for(request.user, project_id, data.validated_data["target"], role=MANAGER)
        result = codebooks.code_merge(source=source, target=target, user=request.user)
        target.refresh_from_db()
        return Response({**result, "code": CodeOutput(target).data})


def _version_data(version):
    version.change_lines = codebooks.version_changes(version)
    return version


class VersionListApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="The published versions of the project's codebook, latest first",
        responses={200: VersionOutput(many=True), **errors(401, 404)},
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id).project
        data = []
        for version, lines in codebooks.versions_with_changes(project.codebook_id):
            version.change_lines = lines  # type: ignore[attr-defined]  # read by the serializer
            data.append(version)
        return Response(VersionOutput(data, many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Publish the draft as the next version, with a note (managers)",
        request=PublishInput,
        responses={201: VersionOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        project = _manager(request, project_id)
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = codebooks.codebook_publish(
            codebook=project.codebook, user=request.user, note=data.validated_data["note"]
        )
        return Response(VersionOutput(_version_data(version)).data, status=201)


class VersionDetailApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="One published version with every code as published",
        responses={200: VersionDetailOutput, **errors(401, 404)},
    )
    def get(self, request, project_id: int, number: int):
        project = access.project_for(request.user, project_id).project
        version = CodebookVersion.objects.filter(
            codebook_id=project.codebook_id, number=number
        ).first()
        if version is None:
            raise Http404("No such version.")
        return Response(VersionDetailOutput(_version_data(version)).data)


class DraftApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="What the draft changes since the latest published version (managers)",
        responses={200: DraftOutput, **errors(401, 403, 404)},
    )
    def get(self, request, project_id: int):
        project = _manager(request, project_id)
        latest = codebooks.latest_version(project.codebook_id)
        data = {
            "version": latest.number if latest else None,
            "changes": codebooks.draft_diff(project.codebook_id),
        }
        return Response(DraftOutput(data).data)


class ChangeListApi(BaseApi):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        summary="The codebook's audit trail, latest first (managers)",
        responses={200: ChangeOutput(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, project_id: int):
        project = _manager(request, project_id)
        changes = (
            CodebookChange.objects.filter(codebook_id=project.codebook_id)
            .select_related("user", "version")
            .order_by("-at", "-id")
        )
        return paginate(self, request, changes, lambda page: ChangeOutput(page, many=True).data)


class DraftImportApi(BaseApi):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAG,
        summary="Add the codes of a .qdc or of a .qdpx's codebook to the draft (managers)",
        request={"multipart/form-data": ImportInput},
        responses={200: ImportOutput, 201: ImportOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        project = _manager(request, project_id)
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload, preview = data.validated_data["file"], data.validated_data["preview"]
        lines = codebooks.codebook_import(
            codebook=project.codebook,
            user=request.user,
            data=read_upload(upload, upload.name),
            filename=upload.name,
            dry_run=preview,
        )
        return Response({"preview": preview, "changes": lines}, status=200 if preview else 201)


def codebook_urls(project: str, api) -> list:
    from django.urls import path

    code = project + "codebook/codes/<id:code_id>/"
    book = project + "codebook/"
    return [
        path(code, api(CodeDetailEditApi), name="api-code-detail"),
        path(code + "move/", api(CodeMoveApi), name="api-code-move"),
        path(code + "split/", api(CodeSplitApi), name="api-code-split"),
        path(book + "merge/", api(CodeMergeApi), name="api-code-merge"),
        path(book + "versions/", api(VersionListApi), name="api-codebook-versions"),
        path(
            book + "versions/<id:number>/",
            api(VersionDetailApi),
            name="api-codebook-version",
        ),
        path(book + "draft/", api(DraftApi), name="api-codebook-draft"),
        path(book + "changes/", api(ChangeListApi), name="api-codebook-changes"),
        path(book + "draft/import/", api(DraftImportApi), name="api-codebook-draft-import"),
    ]

"""Team setup in the API: create and change projects, members, invitations, uploads of PDF,
DOCX, HTML, Markdown and text files, document metadata and document memos.

The same services as the pages (``services.projects``, ``services.members``,
``services.uploads``). Managers only, except memos (every member, for themselves).
The classes extending an existing view keep its GET and add the write methods.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from .. import access
from ..models import Invitation, Membership, Project
from ..services import members, projects, uploads
from .base import BaseApi, StrictSerializer, errors
from .documents import DocumentDetailApi
from .projects import ProjectDetailApi, ProjectListApi, ProjectMemberListApi
from .serializers import MAX_ID, DocumentOutput, MemberOutput, ProjectOutput, UploadField

Role = Membership.Role
MANAGER = Role.MANAGER


# --- serializers ---------------------------------------------------------------------------


class ProjectSetupOutput(ProjectOutput):
    uses_assignments = serializers.BooleanField()


class ProjectUpdateInput(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    granularity = serializers.ChoiceField(choices=Project.Granularity.choices, required=False)
    blind_coding = serializers.BooleanField(required=False)
    uses_assignments = serializers.BooleanField(required=False)


class ProjectCreateInput(ProjectUpdateInput):
    name = serializers.CharField(max_length=200)
    codebook = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="Share the codebook of a project you manage; omit for a new empty codebook.",
    )


class MemberAddInput(StrictSerializer):
    user = serializers.CharField(max_length=254, help_text="A username or an email address.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.ANNOTATOR)


class MemberRoleInput(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationInput(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices, default=Role.ANNOTATOR)
    email = serializers.EmailField(required=False, allow_blank=True)


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices)
    email = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class InvitationCreatedOutput(InvitationOutput):
    url = serializers.CharField(help_text="The link to pass on; shown only in this answer.")


class UploadInput(StrictSerializer):
    files = serializers.ListField(
        child=UploadField(), min_length=1, help_text=".txt, .pdf, .docx, .html or .md files."
    )


class UploadedDocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    length = serializers.IntegerField()


class UploadOutput(serializers.Serializer):
    documents = UploadedDocumentOutput(many=True)


class DocumentMetadataInput(StrictSerializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)  # type: ignore[assignment]  # stub: Field.source
    author = serializers.CharField(required=False, allow_blank=True, max_length=300)
    url = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    published = serializers.DateField(required=False, allow_null=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    metadata = serializers.DictField(required=False)


class MemoInput(StrictSerializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)


class MemoOutput(serializers.Serializer):
    coder = serializers.CharField(source="coder.username")
    text = serializers.CharField()
    updated_at = serializers.DateTimeField()


# --- views ---------------------------------------------------------------------------------


def _project_out(project, role, status_code=status.HTTP_200_OK):
    project.role = role
    project.document_count = project.documents.count()
    return Response(ProjectSetupOutput(project).data, status=status_code)


class ProjectListCreateApi(ProjectListApi):
    @extend_schema(
        tags=["projects"],
        summary="Create a project; you become its manager (see ANNOTATOR_PROJECT_CREATORS)",
        request=ProjectCreateInput,
        responses={201: ProjectSetupOutput, **errors(400, 401, 403)},
    )
    def post(self, request):
        if not projects.can_create_projects(request.user):
            raise PermissionDenied(projects.creators_message())
        serializer = ProjectCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        codebook_id = data.pop("codebook", None)
        codebook = None
        if codebook_id is not None:
            codebook = projects.creatable_codebooks(request.user).filter(pk=codebook_id).first()
            if codebook is None:
                raise serializers.ValidationError(
                    {"codebook": ["Choose a codebook of a project you manage."]}
                )
        project = projects.project_create(creator=request.user, codebook=codebook, **data)
        return _project_out(project, MANAGER, status.HTTP_201_CREATED)


class ProjectDetailUpdateApi(ProjectDetailApi):
    @extend_schema(
        tags=["projects"],
        summary="Change the project's settings (managers)",
        request=ProjectUpdateInput,
        responses={200: ProjectSetupOutput, **errors(400, 401, 403, 404)},
    )
    def patch(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=MANAGER).project
        serializer = ProjectUpdateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = projects.project_update(project=project, **serializer.validated_data)
        return _project_out(project, MANAGER)


class ProjectMembersApi(ProjectMemberListApi):
    @extend_schema(
        tags=["projects"],
        summary="Add an existing account (username or email) with a role (managers)",
        request=MemberAddInput,
        responses={201: MemberOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=MANAGER).project
        serializer = MemberAddInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = members.member_add(
            project=project, user_identifier=data["user"], role=data["role"]
        )
        return Response(MemberOutput(membership).data, status=status.HTTP_201_CREATED)


def _membership(request, project_id, user_id):
    project = access.project_for(request.user, project_id, role=MANAGER).project
    membership = (
        Membership.objects.select_related("user", "project")
        .filter(project=project, user_id=user_id)
        .first()
    )
    if membership is None:
        raise NotFound("No such member.")
    return membership


class MemberDetailApi(BaseApi):
    @extend_schema(
        tags=["projects"],
        summary="Change a member's role (managers); the last manager cannot be demoted",
        request=MemberRoleInput,
        responses={200: MemberOutput, **errors(400, 401, 403, 404)},
    )
    def patch(self, request, project_id: int, user_id: int):
        membership = _membership(request, project_id, user_id)
        serializer = MemberRoleInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = members.member_change_role(
            membership=membership, role=serializer.validated_data["role"]
        )
        return Response(MemberOutput(membership).data)

    @extend_schema(
        tags=["projects"],
        summary="Remove a member (managers); their codings stay, attributed to them",
        responses={204: None, **errors(400, 401, 403, 404)},
    )
    def delete(self, request, project_id: int, user_id: int):
        members.member_remove(membership=_membership(request, project_id, user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListApi(BaseApi):
    @extend_schema(
        tags=["projects"],
        summary="Open invitations (managers)",
        responses={200: InvitationOutput(many=True), **errors(401, 403, 404)},
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=MANAGER).project
        invitations = Invitation.objects.filter(
            project=project, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
        ).select_related("created_by")
        return Response(InvitationOutput(invitations, many=True).data)

    @extend_schema(
        tags=["projects"],
        summary="Create a single-use, expiring invitation link (managers)",
        description="The link is in this answer only (only its hash is stored); with an email "
        "it is also mailed.",
        request=InvitationInput,
        responses={201: InvitationCreatedOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=MANAGER).project
        serializer = InvitationInput(data=request.data)
        serializer.is_valid(raise_exception=True)

        def url(token):
            return request.build_absolute_uri(reverse("annotator:invitation-accept", args=[token]))

        invitation, token = members.invitation_create(
            project=project, created_by=request.user, accept_url=url, **serializer.validated_data
        )
        invitation.url = url(token)  # type: ignore[attr-defined]  # read by the serializer
        return Response(InvitationCreatedOutput(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailApi(BaseApi):
    @extend_schema(
        tags=["projects"],
        summary="Withdraw an invitation (managers)",
        responses={204: None, **errors(401, 403, 404)},
    )
    def delete(self, request, project_id: int, invitation_id: int):
        project = access.project_for(request.user, project_id, role=MANAGER).project
        invitation = Invitation.objects.filter(pk=invitation_id, project=project).first()
        if invitation is None:
            raise NotFound("No such invitation.")
        members.invitation_revoke(invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentUploadApi(BaseApi):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["documents"],
        summary="Upload .txt, .pdf, .docx, .html or .md files, one document each (managers)",
        description="Text is extracted once (paragraphs separated by a blank line); the original "
        "file is kept. An unreadable file refuses the whole upload.",
        request={"multipart/form-data": UploadInput},
        responses={201: UploadOutput, **errors(400, 401, 403, 404, 415)},
    )
    def post(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=MANAGER).project
        serializer = UploadInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        documents = uploads.documents_upload(
            project=project, files=serializer.validated_data["files"], user=request.user
        )
        return Response(UploadOutput({"documents": documents}).data, status=201)


class DocumentDetailUpdateApi(DocumentDetailApi):
    @extend_schema(
        tags=["documents"],
        summary="Change a document's metadata (managers); the text never changes",
        request=DocumentMetadataInput,
        responses={200: DocumentOutput, **errors(400, 401, 403, 404)},
    )
    def patch(self, request, project_id: int, document_id: int):
        _, document = access.document_for(request.user, project_id, document_id, role=MANAGER)
        serializer = DocumentMetadataInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = uploads.document_metadata_update(document=document, **serializer.validated_data)
        return Response(DocumentOutput(document).data)


class DocumentMemoApi(BaseApi):
    @extend_schema(
        tags=["documents"],
        summary="Memos on the document you may read: yours; everyone's for curators and "
        "managers, or without blind coding",
        responses={200: MemoOutput(many=True), **errors(401, 404)},
    )
    def get(self, request, project_id: int, document_id: int):
        project_access, document = access.document_for(request.user, project_id, document_id)
        memos = uploads.document_memos_visible(
            document=document, user=request.user, sees_all=project_access.sees_all_coders()
        )
        return Response(MemoOutput(memos, many=True).data)

    @extend_schema(
        tags=["documents"],
        summary="Set your memo on the document (an empty text deletes it)",
        request=MemoInput,
        responses={200: MemoOutput, 204: None, **errors(400, 401, 404)},
    )
    def put(self, request, project_id: int, document_id: int):
        _, document = access.document_for(request.user, project_id, document_id)
        serializer = MemoInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        memo = uploads.document_memo_set(
            document=document, coder=request.user, text=serializer.validated_data["text"]
        )
        if memo is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(MemoOutput(memo).data)

"""Projects, their members and their codebook.

Codes are read by every member and written by the project's managers. A codebook may be shared
by several projects: a manager of any of them may edit it, and the edit shows in all of them.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from .. import access, selectors
from ..models import Code, Membership
from ..services import codebooks
from .base import BaseApi, Pagination, errors, paginate
from .serializers import CodebookOutput, CodeInput, CodeOutput, MemberOutput, ProjectOutput

TAG = ["projects"]
CODE_TAG = ["codebooks"]


def _project_output(project, role):
    project.role = role
    return ProjectOutput(project).data


class ProjectListApi(BaseApi):
    pagination_class = Pagination

    @extend_schema(
        tags=TAG,
        summary="The projects you belong to",
        responses={200: ProjectOutput(many=True), **errors(401)},
    )
    def get(self, request):
        roles = dict(Membership.objects.filter(user=request.user).values_list("project", "role"))
        projects = selectors.projects_for_user(request.user)

        def serialize(page):
            return [_project_output(project, roles[project.pk]) for project in page]

        return paginate(self, request, projects, serialize)


class ProjectDetailApi(BaseApi):
    @extend_schema(
        tags=TAG, summary="One project", responses={200: ProjectOutput, **errors(401, 404)}
    )
    def get(self, request, project_id: int):
        project_access = access.project_for(request.user, project_id)
        project = selectors.projects_for_user(request.user).get(pk=project_access.project.pk)
        return Response(_project_output(project, project_access.role))


class ProjectMemberListApi(BaseApi):
    @extend_schema(
        tags=TAG,
        summary="The project's members and their roles",
        responses={200: MemberOutput(many=True), **errors(401, 404)},
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id).project
        memberships = (
            Membership.objects.filter(project=project)
            .select_related("user")
            .only("user_id", "role", "user__username")
            .order_by("user__username")
        )
        return Response(MemberOutput(memberships, many=True).data)


class CodebookDetailApi(BaseApi):
    @extend_schema(
        tags=CODE_TAG,
        summary="The project's codebook with its codes",
        responses={200: CodebookOutput, **errors(401, 404)},
    )
    def get(self, request, project_id: int):
        codebook = access.project_for(request.user, project_id).project.codebook
        codes = codebook.codes.order_by("order", "name")
        data = {"id": codebook.pk, "name": codebook.name, "description": codebook.description}
        return Response(CodebookOutput({**data, "codes": codes}).data)


class CodeListApi(BaseApi):
    @extend_schema(
        tags=CODE_TAG,
        summary="The codes of the project's codebook",
        responses={200: CodeOutput(many=True), **errors(401, 404)},
    )
    def get(self, request, project_id: int):
        project = access.project_for(request.user, project_id).project
        codes = Code.objects.filter(codebook=project.codebook_id).order_by("order", "name")
        return Response(CodeOutput(codes, many=True).data)

    @extend_schema(
        tags=CODE_TAG,
        summary="Add a code to the project's codebook (managers)",
        request=CodeInput,
        responses={201: CodeOutput, **errors(400, 401, 403, 404)},
    )
    def post(self, request, project_id: int):
        project = access.project_for(request.user, project_id, role=Membership.Role.MANAGER).project
        serializer = CodeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        code = codebooks.code_add(
            codebook=project.codebook, user=request.user, data=dict(serializer.validated_data)
        )
        return Response(CodeOutput(code).data, status=status.HTTP_201_CREATED)


def _code_for(user, project_id, code_id, *, role=Membership.Role.ANNOTATOR) -> Code:
    project = access.project_for(user, project_id, role=role).project
    code = Code.objects.filter(pk=code_id, codebook=project.codebook_id).first()
    if code is None:
        raise Http404("No such code.")
    return code


class CodeDetailApi(BaseApi):
    @extend_schema(
        tags=CODE_TAG, summary="One code", responses={200: CodeOutput, **errors(401, 404)}
    )
    def get(self, request, project_id: int, code_id: int):
        return Response(CodeOutput(_code_for(request.user, project_id, code_id)).data)

    @extend_schema(
        tags=CODE_TAG,
        summary="Change a code (managers); send only the fields to change",
        request=CodeInput(partial=True),
        responses={200: CodeOutput, **errors(400, 401, 403, 404)},
    )
    def patch(self, request, project_id: int, code_id: int):
        code = _code_for(request.user, project_id, code_id, role=Membership.Role.MANAGER)
        serializer = CodeInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        code = codebooks.code_edit(
            code=code, user=request.user, data=dict(serializer.validated_data)
        )
        return Response(CodeOutput(code).data)

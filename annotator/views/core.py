from django.shortcuts import render

from .. import access, selectors


def home(request):
    return render(
        request,
        "annotator/home/index.html",
        {"projects": selectors.projects_for_user(request.user)},
    )


def project_detail(request, project_id: int):
    project_access = access.project_for(request.user, project_id)
    documents = selectors.documents_with_progress(project=project_access.project, user=request.user)
    return render(
        request,
        "annotator/projects/detail.html",
        {"access": project_access, "project": project_access.project, "documents": documents},
    )

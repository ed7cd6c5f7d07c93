from django.shortcuts import render

from .. import access, selectors
from ..selectors import workflow as workflow_selectors
from ..selectors import workspace as ws


def home(request):
    return render(
        request,
        "annotator/home/index.html",
        {"projects": selectors.projects_for_user(request.user)},
    )


def project_detail(request, project_id: int):
    """The project's documents: the user's own status and codings per document, their overall
    progress, and how many coders marked each document done (a constant number of queries)."""
    project_access = access.project_for(request.user, project_id)
    project = project_access.project
    coders = workflow_selectors.project_coder_ids(project=project)
    documents = ws.project_documents(project=project, user=request.user, coders=coders)
    done = sum(1 for d in documents if d.my_state == "done")
    return render(
        request,
        "annotator/projects/detail.html",
        {
            "access": project_access,
            "project": project,
            "documents": documents,
            "done": done,
            "coder_count": len(coders),
            "queue": workflow_selectors.queue_for(documents=documents, user=request.user),
        },
    )

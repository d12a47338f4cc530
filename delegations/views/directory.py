"""The public directory of verified parliamentary offices."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from delegations.org_forms import DirectorySearchForm
from delegations.selectors import parliamentary_offices_search


@require_safe
def directory_index(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    offices = parliamentary_offices_search(query=query)
    return render(request, "delegations/directory/index.html", {"form": form, "query": query, "offices": offices})

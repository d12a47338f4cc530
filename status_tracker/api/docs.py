"""GET /api/v1/docs/: the API's documentation page (Swagger UI), public like the schema it shows."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from self-hosted files, with its start-up script served as a file (CSP script-src 'self')."""

    authentication_classes: list = []
    url_name = "api:schema"
    # drf-spectacular's own page has an inline <style> block (refused by our CSP) and no lang.
    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

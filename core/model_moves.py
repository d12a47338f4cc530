"""Support for migrations that move a model from one app to another without touching its table.

Moving the content type along keeps the permissions already granted on the model working.
"""

from collections.abc import Callable, Iterable


def content_types_move(*, from_app: str, to_app: str, models: Iterable[str]) -> tuple[Callable, Callable]:
    """RunPython functions (forward, backward) that give the models' content types to `to_app` and back."""
    names = set(models)

    def move(source: str, target: str) -> Callable:
        def run(apps, schema_editor) -> None:
            content_type = apps.get_model("contenttypes", "ContentType")
            rows = content_type.objects.using(schema_editor.connection.alias)
            # A content type the target app already has (made by a test database, say) is kept.
            taken = set(rows.filter(app_label=target, model__in=names).values_list("model", flat=True))
            rows.filter(app_label=source, model__in=names - taken).update(app_label=target)

        return run

    return move(from_app, to_app), move(to_app, from_app)

"""`{% fragment_once "name" value ... %}…{% endfragment_once %}`: render a piece of a page once per process.

For the parts of every page that are the same for everyone who shares the listed
values (the header's menu for a given language, roles and unread count; the footer per
language). The rendered text is kept in this process's memory under the name, the
active language, the URL prefix and the values, so it may only hold what those values
decide: never a CSRF token, a name, an address or anything else read from the request
or the person. Kept at most `LIMIT` entries, and forgotten when a setting changes
(tests).
"""

from django import template
from django.core.signals import setting_changed
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

LIMIT = 2000
_rendered: dict[tuple, str] = {}


def _forget(**kwargs) -> None:
    _rendered.clear()


setting_changed.connect(_forget)


class FragmentOnceNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: template.base.FilterExpression, values: list) -> None:
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context) -> str:
        key = (
            self.name.resolve(context),
            get_language(),
            get_script_prefix(),
            *(str(value.resolve(context)) for value in self.values),
        )
        rendered = _rendered.get(key)
        if rendered is None:
            rendered = self.nodelist.render(context)
            if len(_rendered) >= LIMIT:
                _rendered.clear()
            _rendered[key] = rendered
        return mark_safe(rendered)  # noqa: S308 (our own template's output, escaped when rendered)


@register.tag
def fragment_once(parser, token) -> FragmentOnceNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("fragment_once needs a name, then the values the fragment depends on")
    nodelist = parser.parse(("endfragment_once",))
    parser.delete_first_token()
    return FragmentOnceNode(nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]])

"""Folium elements backed by cleanfreight's own offline map script (``assets/cfmap.js``)."""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

from cleanfreight.reports._offline import OFFLINE_SCHEME, js_json, own_assets_html

# inlined by ``_offline.inline_assets`` from the xstatic-leaflet-markercluster package
_CLUSTER_JS = [("markerclusterjs", f"{OFFLINE_SCHEME}leaflet.markercluster.js")]
_CLUSTER_CSS = [
    ("markerclustercss", f"{OFFLINE_SCHEME}MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{OFFLINE_SCHEME}MarkerCluster.Default.css"),
]


class OwnAssets(MacroElement):  # type: ignore[misc]
    """Puts cleanfreight's map CSS and JS inline in the page header."""

    _template = Template("")

    def render(self, **kwargs: Any) -> Any:
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.header.add_child(Element(own_assets_html()), name="cleanfreight_assets")
        return super().render(**kwargs)


class PointLayer(JSCSSMixin, Layer):  # type: ignore[misc]
    """Circle markers whose popups and tooltips are built with ``textContent`` (XSS-safe).

    The marker-cluster plugin is declared (and later inlined by ``save_map``) only when the
    layer is clustered.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = cleanfreight.pointLayer({{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict[str, Any], *, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PointLayer"
        self.spec_json = js_json(spec)
        self.default_js = _CLUSTER_JS if spec.get("cluster") else []
        self.default_css = _CLUSTER_CSS if spec.get("cluster") else []


class PageScript(MacroElement):  # type: ignore[misc]
    """Title, legend, search box and full-screen button of a map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function (map, spec) {
                cleanfreight.title(map, spec.title);
                cleanfreight.legend(map, spec.legend);
                if (spec.search) { cleanfreight.search(map, spec.search); }
                cleanfreight.fullscreen(map, spec.fullscreen);
            })({{ this._parent.get_name() }}, {{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PageScript"
        self.spec_json = js_json(spec)

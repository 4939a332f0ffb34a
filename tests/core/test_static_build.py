"""The production static build (`collectstatic` with the manifest storage,
as `DEBUG=0 make run` and the Docker image run it) succeeds: a vendored file
that names a missing source map or asset fails it, and then every page 500s.
(The build is the one the production smoke and fault tests serve.)"""

import json

from tests.production.conftest import static_root  # noqa: F401 (fixture)


def test_collectstatic_with_the_manifest_storage_succeeds(static_root):  # noqa: F811
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    assert "css/storyline.css" in manifest["paths"]
    hashed = manifest["paths"]["css/storyline.css"]
    assert (static_root / hashed).exists() and (static_root / f"{hashed}.gz").exists()

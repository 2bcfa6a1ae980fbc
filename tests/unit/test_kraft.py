"""KRaft cluster ids as Kafka makes them: 16 bytes, URL-safe base64, never a leading "-"."""

import base64
from collections.abc import Iterator

from streamlab.kraft import new_cluster_id


def fake_random(*draws: bytes):
    given: Iterator[bytes] = iter(draws)
    return lambda size: next(given)[:size]


def test_an_id_that_would_start_with_a_dash_is_drawn_again():
    dash_first = bytes([0xF8]) + bytes(15)  # 0b111110... encodes as "-" in URL-safe base64
    plain = bytes(range(16))
    assert base64.urlsafe_b64encode(dash_first).startswith(b"-")
    made = new_cluster_id(fake_random(dash_first, plain))
    assert made == base64.urlsafe_b64encode(plain).decode().rstrip("=")


def test_ids_decode_to_16_bytes_without_padding():
    for _ in range(200):
        made = new_cluster_id()
        assert len(made) == 22
        assert "=" not in made
        assert not made.startswith("-")
        assert len(base64.urlsafe_b64decode(made + "==")) == 16

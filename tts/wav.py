"""Raw PCM -> a WAV file browsers play (stdlib `wave`).

Gemini TTS answers `audio/L16;codec=pcm;rate=24000`: headerless signed 16-bit samples, mono. Despite
the L16 name (RFC 2586 means big-endian), Google's samples are little-endian, the byte order WAV
uses: Google's own example writes them straight into a `wave` file. `rate=` and `channels=` of the
MIME type are honoured (defaults 24000 and 1); a trailing partial frame is dropped.
"""

from __future__ import annotations

import io
import wave

DEFAULT_RATE = 24000
DEFAULT_CHANNELS = 1
SAMPLE_WIDTH = 2  # bytes: 16-bit PCM


def mime_parameters(mime: str) -> dict[str, str]:
    """`audio/L16;codec=pcm;rate=24000` -> {"codec": "pcm", "rate": "24000"} (names lower-cased)."""
    params = {}
    for part in mime.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip():
            params[name.strip().lower()] = value.strip().strip('"')
    return params


def _positive(value: str | None, default: int, ceiling: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if 0 < number <= ceiling else default


def pcm16_to_wav(pcm: bytes, *, mime: str = "") -> bytes:
    params = mime_parameters(mime)
    rate = _positive(params.get("rate"), DEFAULT_RATE, 384_000)
    channels = _positive(params.get("channels"), DEFAULT_CHANNELS, 8)
    frame = SAMPLE_WIDTH * channels
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(rate)
        out.writeframes(pcm[: len(pcm) - len(pcm) % frame])
    return buffer.getvalue()

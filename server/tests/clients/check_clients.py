"""Drives a running `yomiage serve` with real client libraries from PyPI: the OpenAI SDK
(audio.speech.create with base_url at the server) and voicevox-client (VOICEVOX ENGINE's
API), and checks that real audio comes back.

Usage: python check_clients.py http://127.0.0.1:PORT
Exits non-zero on the first failure; prints one line per check.
"""

import array
import asyncio
import io
import math
import sys
import wave

import openai
import vvclient
from vvclient.errors import HTTPException as VoicevoxHTTPError

TEXT = "こんにちは。今日はいい天気ですね。"


def rms(samples) -> float:
    if not samples:
        return 0.0
    return math.sqrt(sum((s / 32768.0) ** 2 for s in samples) / len(samples))


def check_wav(data: bytes, what: str, rate: int = 24000) -> float:
    """Checks a WAV is real speech; returns its length in seconds."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", f"{what}: not a WAV file"
    with wave.open(io.BytesIO(data)) as w:
        assert w.getsampwidth() == 2, f"{what}: not 16-bit"
        assert w.getframerate() == rate, f"{what}: {w.getframerate()} Hz"
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
    samples = array.array("h", frames)
    assert seconds > 0.5, f"{what}: only {seconds:.2f} s"
    level = rms(samples)
    assert level > 0.01, f"{what}: silent (RMS {level:.4f})"
    print(f"ok  {what}: {seconds:.2f} s, RMS {level:.3f}")
    return seconds


def check_openai(base: str) -> None:
    client = openai.OpenAI(base_url=f"{base}/v1", api_key="not-needed", max_retries=0)
    r = client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT, response_format="wav")
    normal = check_wav(r.content, "openai speech wav")
    # The SDK's default format, as OpenAI answers it: MP3 frames (MPEG-2 layer III at 24 kHz).
    r = client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT)
    mp3 = r.content
    if len(mp3) < 1000 or mp3[0] != 0xFF or (mp3[1] & 0xE0) != 0xE0:
        raise SystemExit(f"openai speech default: not MP3 frames ({mp3[:4]!r}, {len(mp3)} bytes)")
    print(f"ok  openai speech mp3 (default): {len(mp3)} bytes")
    # Ogg Opus, as chat front-ends ask for it: an Ogg stream whose first packet is OpusHead.
    r = client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT, response_format="opus")
    opus = r.content
    if opus[:4] != b"OggS" or opus[28:36] != b"OpusHead":
        raise SystemExit(f"openai speech opus: not Ogg Opus ({opus[:36]!r})")
    print(f"ok  openai speech opus: {len(opus)} bytes")

    r = client.audio.speech.create(
        model="gpt-4o-mini-tts", voice="jm_kumo", input=TEXT, response_format="pcm"
    )
    pcm = r.content
    assert len(pcm) % 2 == 0 and pcm[:4] != b"RIFF", "pcm: not raw 16-bit samples"
    samples = array.array("h", pcm)
    seconds = len(samples) / 24000
    assert seconds > 0.5 and rms(samples) > 0.01, f"pcm: {seconds:.2f} s, RMS {rms(samples):.4f}"
    print(f"ok  openai speech pcm: {seconds:.2f} s, RMS {rms(samples):.3f}")

    r = client.audio.speech.create(
        model="tts-1", voice="nova", input=TEXT, response_format="wav", speed=2.0
    )
    fast = check_wav(r.content, "openai speech wav at speed 2")
    assert fast < 0.8 * normal, f"speed 2 gave {fast:.2f} s against {normal:.2f} s"

    with client.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=TEXT, response_format="wav"
    ) as resp:
        data = b"".join(resp.iter_bytes())
    check_wav(data, "openai streaming-response wav")

    try:
        client.audio.speech.create(model="tts-1", voice="nobody", input=TEXT)
    except openai.BadRequestError as e:
        assert "unknown voice" in str(e), str(e)
        print("ok  openai unknown voice: BadRequestError")
    else:
        raise AssertionError("an unknown voice was accepted")


async def check_voicevox(base: str) -> None:
    async with vvclient.Client(base) as client:
        version = await client.fetch_engine_version()
        assert isinstance(version, str) and version, version
        cores = await client.fetch_core_versions()
        assert isinstance(cores, list) and cores, cores
        print(f"ok  voicevox version {version}, cores {cores}")

        await client.init_speaker(3)
        assert await client.is_inited_speaker(3) is True
        print("ok  voicevox init_speaker / is_inited_speaker")

        query = await client.create_audio_query(TEXT, speaker=3)
        moras = [m for p in query.data["accent_phrases"] for m in p["moras"]]
        assert moras and all(m["vowel_length"] > 0 for m in moras), "no mora lengths"
        assert sum(1 for m in moras if m["pitch"] > 0) >= len(moras) // 2, "no pitches"
        print(f"ok  voicevox audio query: {len(moras)} moras with lengths and pitches")

        wav = await query.synthesis(speaker=3)
        check_wav(wav, "voicevox synthesis")

        query.data["speedScale"] = 1.5
        query.data["outputSamplingRate"] = 48000
        wav = await query.synthesis(speaker=3, enable_interrogative_upspeak=True)
        check_wav(wav, "voicevox synthesis at 48 kHz, speed 1.5", rate=48000)

        try:
            await client.create_audio_query(TEXT, speaker=999)
        except VoicevoxHTTPError as e:
            assert e.status_code == 422, e
            print("ok  voicevox unknown speaker: 422")
        else:
            raise AssertionError("an unknown speaker was accepted")


def main() -> int:
    base = sys.argv[1].rstrip("/")
    check_openai(base)
    asyncio.run(check_voicevox(base))
    print("python clients: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

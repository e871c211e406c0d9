"""Screenshots of a running Ventanilla for the README, in headless Chromium.

    make demo                       # in another terminal: the real data on 127.0.0.1:8000
    .venv/bin/python scripts/screenshot.py [--url http://127.0.0.1:8000/] [--out docs/img]

Writes home.png (1280×900, a desktop) and home-phone.png (360×780, a phone).
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS = {
    "home.png": {"viewport": {"width": 1280, "height": 900}},
    "home-phone.png": {
        "viewport": {"width": 360, "height": 780},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for name, options in SHOTS.items():
            context = browser.new_context(locale="es-PE", **options)  # type: ignore[arg-type]
            page = context.new_page()
            response = page.goto(args.url, wait_until="networkidle")
            if response is None or response.status != 200:
                raise SystemExit(f"{args.url} answered {response and response.status}")
            page.screenshot(path=args.out / name)
            print(f"{args.out / name}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

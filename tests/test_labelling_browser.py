"""The labelling page in a real headless Chromium (Debian's chromium + chromedriver, through Selenium).

Skipped, with the reason, when chromium or chromedriver is missing. With
``SKAL_UPDATE_SCREENSHOT=1`` the screenshot also replaces
``docs/labelling-page.png`` (the one the README shows).
"""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from skal.datasets import load_movie_reviews
from skal.labelling import LabellingSession
from skal.labelling.web import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def server(tmp_path):
    import uvicorn

    reviews = load_movie_reviews().sample(300, random_state=0).reset_index(drop=True)
    reviews["key"] = [f"mr{i}" for i in range(len(reviews))]
    reviews.to_csv(tmp_path / "pool.csv", index=False)
    directory = tmp_path / "session"
    LabellingSession.create(directory, data=tmp_path / "pool.csv", labels="positive,negative", id_column="key",
                            classifier="tfidf", batch_size=4)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(directory, cv=3)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    truth = dict(zip(reviews["key"], reviews["label"]))
    yield f"http://127.0.0.1:{port}", directory, truth, app
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _row_id(driver):
    return driver.find_element(By.ID, "row-id").text


def test_label_undo_correct_and_export_in_the_browser(server, browser, tmp_path):
    url, directory, truth, app = server
    wait = WebDriverWait(browser, 30)
    browser.get(url + "/?annotator=ann")
    wait.until(lambda d: _row_id(d) in truth)
    answered = []
    for _ in range(10):  # one key per label: 1 = positive, 2 = negative
        row = _row_id(browser)
        browser.find_element(By.TAG_NAME, "body").send_keys("1" if truth[row] == "positive" else "2")
        wait.until(lambda d, row=row: _row_id(d) != row and d.find_element(By.ID, "saved").text.startswith("saved"))
        answered.append(row)
        assert LabellingSession.open(directory).labels[row] == truth[row]  # on disk when the page moved on
        app.state.trainer.join(30)
    # The model's suggestion and the learning curve after the background retrains.
    browser.refresh()
    wait.until(lambda d: "model suggests" in d.find_element(By.ID, "guess").text)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#curve polyline"))
    assert "predictions" in browser.find_element(By.ID, "stopping").text or "early" in browser.find_element(
        By.ID, "stopping").text
    assert browser.find_element(By.ID, "left").text == str(300 - 10)
    # Undo with the button: the last text comes back.
    browser.find_element(By.ID, "undo").click()
    wait.until(lambda d: d.find_element(By.ID, "saved").text == f"undone: {answered[-1]}"
               and _row_id(d) == answered[-1])
    assert answered[-1] not in LabellingSession.open(directory).labels
    # Correct the first answer from the history.
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f'#history tr[data-id="{answered[0]}"] select'))
    select = Select(browser.find_element(By.CSS_SELECTOR, f'#history tr[data-id="{answered[0]}"] select'))
    flipped = "negative" if truth[answered[0]] == "positive" else "positive"
    select.select_by_visible_text(flipped)
    wait.until(lambda d: d.find_element(By.ID, "saved").text == f"corrected: {answered[0]} → {flipped}")
    labels = LabellingSession.open(directory).labels
    assert labels[answered[0]] == flipped and len(labels) == 9
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    time.sleep(0.5)  # let the status poll settle for the picture
    shot = tmp_path / "labelling-page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("SKAL_UPDATE_SCREENSHOT"):
        shutil.copy(shot, ROOT / "docs" / "labelling-page.png")
    # Export from the page's link (shown inline instead of downloaded, to read it here).
    href = browser.find_element(By.ID, "export").get_attribute("href")
    browser.get(href + "&download=false")
    lines = browser.find_element(By.TAG_NAME, "body").text.splitlines()
    assert lines[0] == "id,text,label,annotator,time,source,corrected" and len(lines) == 10
    exported = {line.split(",")[0] for line in lines[1:]}
    assert exported == set(answered[:-1])

"""The built-in explorer in Debian's headless Chromium against a real 4-validator testnet: live
blocks without reload, a transaction found by hash with its sender and value, hostile data shown
as text, a killed validator shown as missing. Screenshots go to the test's tmp_path."""
import time

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from monitoring import LocalNet, eventually

HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> hello'


@pytest.fixture()
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1100"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


@pytest.fixture()
def net(tmp_path):
    n = LocalNet(tmp_path).up()
    yield n
    n.down()


def send_hostile_transfer(net):
    sender_address, recipient = net.accounts()[0], net.accounts()[1]
    sender = net.account_key(sender_address)
    nonce = int(net.rpc(0, "eth_getTransactionCount", [sender_address, "pending"]), 16)
    tx = {"chainId": 1337, "nonce": nonce, "gasPrice": int(net.rpc(0, "eth_gasPrice"), 16), "gas": 200_000,
          "to": recipient, "value": 1_500_000_000_000_000_000, "data": HOSTILE.encode()}
    tx_hash = net.rpc(0, "eth_sendRawTransaction", ["0x" + sender.sign_transaction(tx).raw_transaction.hex()])
    eventually("the transaction to commit", lambda: net.rpc(0, "eth_getTransactionReceipt", [tx_hash]), timeout=60)
    return tx_hash, sender_address


def text(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css).text


def test_explorer_shows_live_blocks_a_searched_transaction_escaped_data_and_a_missing_validator(net, browser, tmp_path):
    page = net.url(0) + "/explorer"
    headers = requests.get(page, timeout=10).headers
    assert "default-src 'self'" in headers["Content-Security-Policy"] and "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "/explorer" in net.output  # tools/testnet up prints the explorer's URL

    browser.get(page)
    rows = eventually("the latest blocks to render",
                      lambda: browser.find_elements(By.CSS_SELECTOR, "#latest-blocks tbody tr[data-height]"), timeout=30)
    first_top = int(rows[0].get_attribute("data-height"))
    browser.execute_script("window.__samePage = 'yes'")
    eventually("a new block to appear without a reload", lambda: browser.find_elements(
        By.CSS_SELECTOR, f"#latest-blocks tbody tr[data-height='{first_top + 1}']"), timeout=30)
    assert browser.execute_script("return window.__samePage") == "yes"
    assert text(browser, "#health-status") == "healthy"
    browser.save_screenshot(str(tmp_path / "1-live-blocks.png"))

    tx_hash, sender = send_hostile_transfer(net)
    search = browser.find_element(By.ID, "q")
    search.clear()
    search.send_keys(tx_hash, Keys.ENTER)
    eventually("the transaction view", lambda: browser.find_elements(By.ID, "f-from"), timeout=20)
    assert browser.current_url.endswith("#/tx/" + tx_hash)
    assert text(browser, "#f-from").lower() == sender.lower()
    assert text(browser, "#f-value") == "1.5 ether"
    assert text(browser, "#f-status") == "success"
    assert text(browser, "#f-input-text") == HOSTILE  # the markup is shown as text ...
    assert browser.execute_script("return window.__xss") is None  # ... and never ran
    assert browser.execute_script("return document.querySelectorAll('#view script, #view img').length") == 0
    browser.save_screenshot(str(tmp_path / "2-transaction.png"))

    block = text(browser, "#f-block")
    browser.find_element(By.CSS_SELECTOR, "#f-block a").click()
    eventually("the block view", lambda: browser.find_elements(By.ID, "f-number"), timeout=20)
    assert text(browser, "#f-number") == block
    assert tx_hash[:10] in text(browser, "#block-txs")

    search = browser.find_element(By.ID, "q")
    search.clear()
    search.send_keys(sender, Keys.ENTER)
    eventually("the account view", lambda: browser.find_elements(By.ID, "f-balance"), timeout=20)
    assert text(browser, "#f-nonce") == "1" and text(browser, "#f-kind") == "account"
    assert text(browser, "#f-balance").endswith(" ether")
    eventually("the account's recent transactions", lambda: tx_hash[:10] in text(browser, "#account-txs"), timeout=20)
    browser.save_screenshot(str(tmp_path / "3-account.png"))

    victim = net.address(3)
    net.kill(3)
    browser.find_element(By.ID, "home").click()
    row = f"#validators tr[data-address='{victim}']"
    eventually("the killed validator to show as missing",
               lambda: browser.find_elements(By.CSS_SELECTOR, row + "[data-missing='true']"), timeout=60)
    assert text(browser, row + " td.status") == "missing"
    assert "not connected" in text(browser, row)
    assert victim[:8] in text(browser, "#health-reasons")
    browser.save_screenshot(str(tmp_path / "4-validator-missing.png"))
    print("screenshots in", tmp_path)

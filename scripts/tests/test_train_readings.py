"""The learned reading stage's trainer (scripts/train-readings.py): which cases make a rule."""

import importlib.util
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "train_readings", os.path.join(HERE, "..", "train-readings.py"))
tr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tr)


def case(sentence, surface, ours, reading, prev="の", nxt="を"):
    return (sentence, surface, ours, prev, nxt, "助詞/連体化", "助詞/格助詞", reading)


class Rules(unittest.TestCase):
    def test_a_reading_heard_in_enough_sentences_becomes_a_rule(self):
        cases = [case(s, "弦", "ツル", "ゲン") for s in range(3)]
        lines = tr.train(cases, {("弦", "ゲン"): 1})
        self.assertIn("弦\tツル\tany\t\tゲン\t1", lines)

    def test_one_sentence_said_three_times_is_not_a_rule(self):
        # 月印 read ルナグラム three times in one sentence must not read every 印 グラム.
        cases = [case(7, "印", "シルシ", "グラム") for _ in range(3)]
        self.assertEqual(tr.train(cases, {}), [])

    def test_a_reading_short_of_the_share_is_not_a_rule(self):
        cases = [case(s, "弦", "ツル", "ゲン") for s in range(3)]
        cases += [case(s, "弦", "ツル", "ツル") for s in range(3, 6)]
        self.assertEqual(tr.train(cases, {}), [])


if __name__ == "__main__":
    unittest.main()

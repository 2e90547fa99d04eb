"""Knowledge documents cut into answerable passages, per layout (and as documents/conversion.py writes DOCX/XLSX)."""

import io

from docx import Document as WordDocument
from openpyxl import Workbook

from ai.providers.passages import split_passages
from documents.conversion import convert_to_markdown


def _pairs(passages):
    return [(passage.question, passage.text) for passage in passages]


def test_question_answer_pairs_one_per_line_are_one_passage_each():
    text = (
        "Q: How long does delivery take? A: Two working days.\n"
        "Q: Can I return an item? A: Within 30 days.\n"
        "What does shipping cost? Free from 50 euro.\n"
        "Do you ship abroad? Yes, to the whole EU."
    )
    assert _pairs(split_passages("FAQ", text)) == [
        ("How long does delivery take?", "Two working days."),
        ("Can I return an item?", "Within 30 days."),
        ("What does shipping cost?", "Free from 50 euro."),
        ("Do you ship abroad?", "Yes, to the whole EU."),
    ]


def test_runs_of_blanks_inside_lines_are_one_space_so_the_patterns_cannot_backtrack_for_minutes():
    # A converted PDF line: "Q:" then thousands of blanks and no answer label used to take the Q/A pattern
    # minutes (it tried every split of the run); folded, the question without an answer is passed over at once.
    text = "Q:" + " " * 5000 + "Opening hours\n" + "Q:   How long  does delivery take?" + " " * 300 + "A:  Two days."
    assert _pairs(split_passages("FAQ", text)) == [("How long does delivery take?", "Two days.")]


def test_labelled_questions_and_answers_on_two_lines_in_dutch_and_french():
    dutch = "Vraag: Hoe lang duurt de levering?\nAntwoord: Drie werkdagen.\n\nVraag: Kan ik ruilen?\nAntwoord: Ja."
    french = "Q : Le wifi est-il gratuit ? R : Oui, partout.\nQ : Un parking ? R : 22 euros par jour."
    assert _pairs(split_passages("FAQ", dutch)) == [
        ("Hoe lang duurt de levering?", "Drie werkdagen."),
        ("Kan ik ruilen?", "Ja."),
    ]
    assert _pairs(split_passages("FAQ", french)) == [
        ("Le wifi est-il gratuit ?", "Oui, partout."),
        ("Un parking ?", "22 euros par jour."),
    ]


def test_headed_sections_keep_their_headings_as_context_and_lose_hard_line_wraps():
    text = (
        "# Service\n\n## Returns\n\nYou may return any item\nwithin 30 days.\n\n## Delivery\nOrders ship the same day."
    )
    passages = split_passages("Policies", text)
    assert [(passage.context, passage.text) for passage in passages] == [
        ("Policies — Service — Returns", "You may return any item within 30 days."),
        ("Policies — Service — Delivery", "Orders ship the same day."),
    ]
    assert passages[0].block != passages[1].block


def test_a_section_headed_by_a_question_or_a_bold_question_answers_it():
    passages = split_passages("FAQ", "## Can I pick up my order?\n\nYes, on Saturdays.\n\n**Do you repair?**\n\nYes.")
    assert _pairs(passages) == [("Can I pick up my order?", "Yes, on Saturdays."), ("Do you repair?", "Yes.")]


def test_labelled_list_items_stand_alone_and_short_value_lists_stay_whole_with_their_lead_in():
    text = (
        "We accept:\n\n- Bancontact\n- Visa\n- PayPal\n\n"
        "1. **Opening hours**: Monday to Friday 9-17.\n2. **Address**: Kerkstraat 1, Gent."
    )
    passages = split_passages("Shop", text)
    assert [passage.text for passage in passages] == [
        "We accept:\n- Bancontact\n- Visa\n- PayPal",
        "Opening hours: Monday to Friday 9-17.",
        "Address: Kerkstraat 1, Gent.",
    ]
    assert passages[1].context == "Shop — Opening hours" and passages[1].block == passages[2].block


def test_long_prose_is_cut_into_sentence_groups():
    sentence = "Our trade-in programme gives store credit for old phones and tablets in good condition. "
    passages = split_passages("Trade-in", sentence * 20)
    assert len(passages) >= 3 and all(len(passage.text) <= 700 for passage in passages)
    assert all(passage.text.endswith(".") for passage in passages)


def test_table_rows_are_passages_and_a_question_answer_sheet_gives_pairs():
    sheet = "| Question | Answer |\n| --- | --- |\n| How do I reset my password? | Click 'Forgot password'. |"
    prices = "| Product | Price | Note |\n| --- | --- | --- |\n| Helmet | 45 euro | sizes S, M<br>and L |"
    assert _pairs(split_passages("FAQ", sheet)) == [("How do I reset my password?", "Click 'Forgot password'.")]
    assert [passage.text for passage in split_passages("Prices", prices)] == [
        "Product: Helmet; Price: 45 euro; Note: sizes S, M and L"
    ]


def test_converted_docx_keeps_headings_lists_and_tables_for_passages():
    document = WordDocument()
    document.add_heading("Returns", level=1)
    document.add_paragraph("Items can be returned within 30 days.")
    document.add_heading("Payment", level=1)
    document.add_paragraph("Bancontact", style="List Bullet")
    document.add_paragraph("Visa", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Question", "Answer"
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Do you deliver on Sunday?", "No, never on Sunday."
    buffer = io.BytesIO()
    document.save(buffer)

    passages = split_passages("Policy.docx", convert_to_markdown(file_name="policy.docx", data=buffer.getvalue()))

    by_text = {passage.text: passage for passage in passages}
    assert by_text["Items can be returned within 30 days."].context == "Policy.docx — Returns"
    assert "- Bancontact\n- Visa" in "\n".join(by_text)
    assert by_text["No, never on Sunday."].question == "Do you deliver on Sunday?"


def test_converted_xlsx_question_answer_sheet_gives_one_pair_per_row():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "FAQ"
    sheet.append(["Vraag", "Antwoord"])
    sheet.append(["Wat kost de levering?", "Levering kost 4,95 euro,\ngratis vanaf 50 euro."])
    sheet.append(["Hoe lang duurt de levering?", "Twee werkdagen."])
    buffer = io.BytesIO()
    workbook.save(buffer)

    passages = split_passages("faq.xlsx", convert_to_markdown(file_name="faq.xlsx", data=buffer.getvalue()))

    assert _pairs(passages) == [
        ("Wat kost de levering?", "Levering kost 4,95 euro, gratis vanaf 50 euro."),
        ("Hoe lang duurt de levering?", "Twee werkdagen."),
    ]
    assert passages[0].context == "faq.xlsx — FAQ"

"""Offline spam judgement: a scikit-learn classifier trained in-process on the shipped nl/en/fr corpus
(ai/providers/data/spam_corpus.tsv; no pickle, no download: trained at first use, deterministic, ~0.1 s, kept for
the process), combined with what the mail itself says and what the tenant knows:

- automated-mail headers (RFC 3834 Auto-Submitted, X-Autoreply, Precedence bulk/list/junk, List-Id and
  List-Unsubscribe, delivery-status reports) and bounce senders (MAILER-DAEMON, postmaster);
- link and phishing patterns: links to a raw IP address, a link whose visible domain differs from its target,
  punycode and throw-away hosting domains, link shorteners, credential lures ("verify your account");
- the sender's history within the tenant (tickets marked spam vs. answered by a representative);
- the tenant's own spam / not-spam marks: the nearest marked messages (sentence embeddings, or TF-IDF without
  the model) pull the verdict toward their label.

The verdict's `kind` tells automated mail (auto-replies, bounces, newsletters) apart: it never gets a reply."""

import hashlib
import itertools
import logging
import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ai.conf import ai_float
from ai.providers.base import SpamContext, SpamKind, SpamVerdict
from ai.providers.text import TfIdfIndex, fold, tokens

CORPUS = Path(__file__).resolve().parent / "data" / "spam_corpus.tsv"
# The classifier's weights, trained with scikit-learn from CORPUS by `manage.py ai_spam_train` (no pickle: numpy
# arrays only). Loading it costs ~20 ms; importing scikit-learn alone would cost ~0.9 s of the first message. When
# the corpus changed since the artifact was written, the process trains from the corpus instead (and logs it).
ARTIFACT = Path(__file__).resolve().parent / "data" / "spam_model.npz"
SHORT_WORDS = 8  # below this many words (and without a link) a message leans genuine
MARGIN_SCALE = 2.5  # log-odds per unit of the linear SVM's margin (spam vs. genuine)

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_model = None
load_seconds = 0.0  # CPU time the model took to load or train in this process (reported by the evaluation)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")


def _document(subject: str, text: str) -> str:
    return fold(f"{subject}\n{text}")[:4000]


def corpus_rows() -> list[tuple[str, str, str]]:
    """(kind, lang, document) rows of the shipped training corpus."""
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, lang, content = line.split("\t", 2)
        subject, _, body = content.partition(" || ")
        rows.append((kind, lang, _document(subject.strip(), body.strip())))
    return rows


def corpus_digest() -> str:
    return hashlib.sha256(CORPUS.read_bytes()).hexdigest()


def word_grams(document: str) -> list[str]:
    """scikit-learn's word analyzer with ngram_range (1, 2) on an already folded document."""
    words = _TOKEN.findall(document)
    return words + [f"{first} {second}" for first, second in itertools.pairwise(words)]


def char_grams(document: str) -> list[str]:
    """scikit-learn's "char_wb" analyzer with ngram_range (3, 5): n-grams inside space-padded words."""
    grams = []
    for word in _WHITE_SPACES.sub(" ", document).split():
        padded = f" {word} "
        for n in range(3, 6):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:
                break
    return grams


def _vectorizers():
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = TfidfVectorizer(analyzer=word_grams, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True, min_df=2, max_features=20000)
    return words, chars


def train_arrays() -> dict[str, np.ndarray]:
    """Trains the classifier with scikit-learn on the corpus: word 1-2-grams and character 3-5-grams (typos,
    inflections, mixed languages), TF-IDF weighted; linear SVMs (liblinear, fixed seed: deterministic). Returns
    the arrays the artifact holds."""
    from scipy.sparse import hstack
    from sklearn.svm import LinearSVC

    rows = corpus_rows()
    documents = [document for _, _, document in rows]
    labels = [kind for kind, _, _ in rows]
    words, chars = _vectorizers()
    features = hstack([words.fit_transform(documents), chars.fit_transform(documents)]).tocsr()
    spam = LinearSVC(C=1.0, class_weight="balanced", random_state=0).fit(
        features, [kind != SpamKind.GENUINE for kind in labels]
    )
    unwanted = [index for index, kind in enumerate(labels) if kind != SpamKind.GENUINE]
    kinds = LinearSVC(C=1.0, random_state=0).fit(features[unwanted], [labels[index] for index in unwanted])

    def vocabulary(vectorizer):
        return np.array(sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get))

    return {
        "corpus_sha256": np.array([corpus_digest()]),
        "word_vocabulary": vocabulary(words),
        "word_idf": words.idf_.astype(np.float32),
        "char_vocabulary": vocabulary(chars),
        "char_idf": chars.idf_.astype(np.float32),
        "spam_coef": spam.coef_[0].astype(np.float32),
        "spam_intercept": np.array([spam.intercept_[0]], dtype=np.float32),
        "kind_classes": np.array([str(name) for name in kinds.classes_]),
        "kind_coef": kinds.coef_.astype(np.float32),
        "kind_intercept": kinds.intercept_.astype(np.float32),
    }


def artifact_write(path: Path = ARTIFACT) -> Path:
    np.savez_compressed(path, **train_arrays())
    return path


@dataclass
class _Model:
    """The trained classifier applied in numpy (the same TF-IDF transform as scikit-learn's)."""

    word_index: dict[str, int]
    word_idf: np.ndarray
    char_index: dict[str, int]
    char_idf: np.ndarray
    spam_coef: np.ndarray
    spam_intercept: float
    kind_classes: list[str]
    kind_coef: np.ndarray
    kind_intercept: np.ndarray

    @classmethod
    def from_arrays(cls, arrays) -> "_Model":
        return cls(
            word_index={gram: index for index, gram in enumerate(arrays["word_vocabulary"].tolist())},
            word_idf=np.asarray(arrays["word_idf"], dtype=np.float64),
            char_index={gram: index for index, gram in enumerate(arrays["char_vocabulary"].tolist())},
            char_idf=np.asarray(arrays["char_idf"], dtype=np.float64),
            spam_coef=np.asarray(arrays["spam_coef"], dtype=np.float64),
            spam_intercept=float(arrays["spam_intercept"][0]),
            kind_classes=[str(name) for name in arrays["kind_classes"].tolist()],
            kind_coef=np.asarray(arrays["kind_coef"], dtype=np.float64),
            kind_intercept=np.asarray(arrays["kind_intercept"], dtype=np.float64),
        )

    @staticmethod
    def _block(grams: list[str], index: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(index[gram] for gram in grams if gram in index)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        columns = np.fromiter(counts.keys(), dtype=np.int64)
        weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * idf[columns]
        return columns, weights / np.linalg.norm(weights)

    def features(self, document: str) -> tuple[np.ndarray, np.ndarray]:
        """Sparse (columns, values) of the document over [word features | char features]."""
        word_columns, word_values = self._block(word_grams(document), self.word_index, self.word_idf)
        char_columns, char_values = self._block(char_grams(document), self.char_index, self.char_idf)
        return np.concatenate([word_columns, char_columns + len(self.word_idf)]), np.concatenate(
            [word_values, char_values]
        )


def model() -> _Model:
    """The classifier: the committed artifact when it matches the corpus, else trained now; once per process."""
    global _model, load_seconds
    if _model is None:
        with _lock:
            if _model is None:
                started = time.process_time()
                arrays = None
                if ARTIFACT.exists():
                    with np.load(ARTIFACT, allow_pickle=False) as stored:
                        if str(stored["corpus_sha256"][0]) == corpus_digest():
                            arrays = {name: stored[name] for name in stored.files}
                if arrays is None:
                    logger.warning("spam model artifact missing or older than the corpus: training in-process")
                    arrays = train_arrays()
                _model = _Model.from_arrays(arrays)
                load_seconds = time.process_time() - started
    return _model


def classify(subject: str, text: str) -> tuple[float, str]:
    """Log-odds that the message text alone is unwanted (positive: spam), and the likeliest unwanted kind."""
    trained = model()
    columns, values = trained.features(_document(subject, text))
    margin = float(values @ trained.spam_coef[columns]) + trained.spam_intercept
    kind_scores = trained.kind_coef[:, columns] @ values + trained.kind_intercept
    return margin * MARGIN_SCALE, trained.kind_classes[int(np.argmax(kind_scores))]


# ---- signals the message carries -------------------------------------------------------------------------------

_HEADER_LINE = re.compile(r"^([A-Za-z0-9-]+):[ \t]*(.*)$")


def parse_headers(headers: str) -> dict[str, str]:
    """Lower-cased header name → value (the first occurrence; folded continuation lines joined)."""
    found: dict[str, str] = {}
    last = None
    for line in (headers or "").splitlines():
        if line[:1] in (" ", "\t") and last:
            found[last] += " " + line.strip()
            continue
        match = _HEADER_LINE.match(line)
        if match:
            last = match.group(1).lower()
            found.setdefault(last, match.group(2).strip())
    return found


_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounces?)([+@]|$)", re.IGNORECASE)
_NOREPLY_SENDER = re.compile(r"^(no-?reply|do-?not-?reply|notifications?|newsletters?|news|marketing)[+@._-]", re.I)
_AUTOREPLY_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|auto:|autoreply|absent|absence|afwezig|"
    r"automatisch antwoord|réponse automatique|reponse automatique|abwesenheit|automatische antwort)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(undeliverable|undelivered mail|mail delivery (failed|failure)|delivery status notification|returned mail|"
    r"delivery (has )?failed|onbestelbaar|niet bezorgd|non remis|échec de la remise|echec de la remise|"
    r"unzustellbar)",
    re.IGNORECASE,
)


def automated_kind(*, sender: str, subject: str, headers: str) -> tuple[str | None, str]:
    """SpamKind.AUTOREPLY / BOUNCE / NEWSLETTER when the headers or the sender say a machine sent the mail, with
    the reason; (None, "") otherwise."""
    parsed = parse_headers(headers)
    local_part = (sender or "").strip().lower()
    content_type = parsed.get("content-type", "").lower()
    if (
        _BOUNCE_SENDER.match(local_part)
        or "report-type=delivery-status" in content_type.replace(" ", "")
        or "x-failed-recipients" in parsed
    ):
        return SpamKind.BOUNCE, "bounce (delivery status notification)"
    submitted = parsed.get("auto-submitted", "").lower()
    if submitted and not submitted.startswith("no"):
        return SpamKind.AUTOREPLY, f"Auto-Submitted: {submitted}"
    if "x-autoreply" in parsed or "x-autorespond" in parsed or parsed.get("x-auto-response-suppress") == "All":
        return SpamKind.AUTOREPLY, "X-Autoreply"
    precedence = parsed.get("precedence", "").lower()
    if precedence in ("auto_reply",):
        return SpamKind.AUTOREPLY, "Precedence: auto_reply"
    if precedence in ("bulk", "list", "junk"):
        return SpamKind.NEWSLETTER, f"Precedence: {precedence}"
    if "list-id" in parsed or "list-unsubscribe" in parsed:
        return SpamKind.NEWSLETTER, "mailing-list headers"
    if _BOUNCE_SUBJECT.match(subject or "") and (not local_part or _NOREPLY_SENDER.match(local_part)):
        return SpamKind.BOUNCE, "bounce subject"
    return None, ""


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_RAW_IP_URL = re.compile(r"https?://\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:/|\b)", re.IGNORECASE)
_SHORTENER = re.compile(r"https?://(?:www\.)?(bit\.ly|tinyurl\.com|t\.co|goo\.gl|is\.gd|ow\.ly|cutt\.ly|rb\.gy)/", re.I)
_THROWAWAY_HOST = re.compile(
    r"https?://[^/\s]+\.(xyz|top|click|loan|win|bid|icu|work|party|gq|tk|ml|cf|ru|web\.app|webflow\.io|"
    r"firebaseapp\.com|weebly\.com|000webhostapp\.com)(?:[/:\s]|$)|https?://xn--",
    re.IGNORECASE,
)
_LABELLED_LINK = re.compile(
    r"\b((?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})\s*[<(\[]\s*https?://([^/\s>)\]]+)", re.IGNORECASE
)
_LURE = re.compile(
    r"verify your (account|identity|details|information)|confirm your (identity|account|details|information|"
    r"ownership)|account (has been|will be|is) (suspended|locked|limited|blocked|deactivated|disabled)|"
    r"update your (payment|billing|card) (details|information)|password expires|unusual (sign-in|activity)|"
    r"log ?in with your (email|e-mail|microsoft) (password|account)|pin (code|number)|card number|"
    r"bevestig uw (identiteit|gegevens|account|e-mailadres)|verifieer uw (gegevens|account|identiteit)|"
    r"(uw|je) account (is|wordt) (geblokkeerd|opgeschort|gedeactiveerd)|wachtwoord verloopt|verdachte activiteit|"
    r"pincode|kaartnummer|e-?mailwachtwoord|werk (uw|je) (betaal|kaart)gegevens bij|"
    r"v[ée]rifiez votre (compte|identit[ée])|confirmez votre (identit[ée]|compte|adresse)|"
    r"votre compte (a [ée]t[ée]|sera|est) (suspendu|bloqu[ée]|d[ée]sactiv[ée]|limit[ée])|"
    r"mot de passe expire|activit[ée] inhabituelle|code secret|num[ée]ro de carte|"
    r"mettez [àa] jour vos (coordonn[ée]es|informations) (bancaires|de paiement)",
    re.IGNORECASE,
)


def _base_domain(host: str) -> str:
    parts = host.lower().strip(".").split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else host.lower()


def link_signals(text: str) -> tuple[float, list[str]]:
    """Log-odds evidence of phishing from the links and lures in `text`, with reasons."""
    urls = _URL.findall(text or "")
    evidence, reasons = 0.0, []
    if not urls:
        return 0.0, []
    if _RAW_IP_URL.search(text):
        evidence += 2.5
        reasons.append("link to a raw IP address")
    for shown, target in _LABELLED_LINK.findall(text):
        if _base_domain(shown.removeprefix("www.")) != _base_domain(target):
            evidence += 3.0
            reasons.append(f"link shows {shown} but leads to {target}")
            break
    if _THROWAWAY_HOST.search(text):
        evidence += 1.5
        reasons.append("link to a throw-away or look-alike host")
    if _SHORTENER.search(text):
        evidence += 1.0
        reasons.append("shortened link")
    if _LURE.search(text):
        evidence += 2.0
        reasons.append("credential lure")
    if len(urls) >= 6:
        evidence += 0.5
        reasons.append(f"{len(urls)} links")
    return evidence, reasons


# ---- what the tenant knows --------------------------------------------------------------------------------------

MARK_NEIGHBOURS = 3
MARK_SIMILARITY = 0.55  # embedding cosine from which a marked message counts as a neighbour
MARK_SIMILARITY_LEXICAL = 0.35  # the same for TF-IDF cosine


def mark_evidence(subject: str, text: str, context: SpamContext) -> tuple[float, str]:
    """Log-odds evidence from the tenant's nearest marked messages (positive: spam)."""
    if not context.marks:
        return 0.0, ""
    from ai.providers import topics  # shares the per-process vector cache

    query = f"{subject}\n{text}".strip()[:2000]
    marks = list(context.marks)
    similarities = None
    threshold = MARK_SIMILARITY
    if topics.embeddings_enabled():
        vectors = topics._embed_cached([mark.text[:2000] for mark in marks] + [query])
        if vectors is not None:
            similarities = vectors[:-1] @ vectors[-1]
    if similarities is None:
        threshold = MARK_SIMILARITY_LEXICAL
        index = TfIdfIndex([Counter(tokens(mark.text)) for mark in marks])
        similarities = np.asarray(index.scores(Counter(tokens(query))))
    order = np.argsort(-similarities)[:MARK_NEIGHBOURS]
    evidence = 0.0
    for position in order:
        similarity = float(similarities[position])
        if similarity < threshold:
            break
        weight = 8.0 * (similarity - threshold) / (1.0 - threshold) + 1.0
        evidence += weight if marks[position].is_spam else -weight
    if not evidence:
        return 0.0, ""
    return evidence, f"close to messages this tenant marked {'spam' if evidence > 0 else 'not spam'}"


def spam_verdict(
    *, sender: str, subject: str, text: str, headers: str = "", context: SpamContext | None = None
) -> SpamVerdict:
    """The offline verdict: spam probability (score), kind and reasons; spam at ≥ AI_LOCAL_SPAM_THRESHOLD."""
    context = context or SpamContext()
    reasons: list[str] = []
    automated, why = automated_kind(sender=sender, subject=subject, headers=headers)
    evidence, kind = classify(subject, text)
    reasons.append(f"text classifier: {1.0 / (1.0 + math.exp(-evidence)):.2f} ({kind})")
    links, link_reasons = link_signals(f"{subject}\n{text}")
    if len(_TOKEN.findall(f"{subject} {text}")) < SHORT_WORDS and not _URL.search(f"{subject}\n{text}"):
        # a chat-length line without a link is next to never spam: the corpus's short lines are too few to say so
        evidence -= 1.0
        reasons.append("short message without links")
    if links:
        evidence += links
        reasons += link_reasons
        if links >= 2.5:
            kind = SpamKind.PHISHING
    if _AUTOREPLY_SUBJECT.match(subject or ""):
        evidence += 2.0
        reasons.append("auto-reply subject")
        if kind not in SpamKind.AUTOMATED:
            kind = SpamKind.AUTOREPLY
    if context.sender_spam:
        evidence += 2.0 * min(context.sender_spam, 3)
        reasons.append(f"sender marked spam {context.sender_spam} times in this tenant")
    if context.sender_genuine:
        evidence -= 1.5 * min(context.sender_genuine, 3)
        reasons.append(f"sender answered {context.sender_genuine} times in this tenant")
    marked, mark_reason = mark_evidence(subject, text, context)
    if marked:
        evidence += marked
        reasons.append(mark_reason)
    score = 1.0 / (1.0 + math.exp(-evidence))
    if automated is not None:  # the mail says so itself: no reply, whatever the text
        kind, score = automated, max(score, 0.99)
        reasons.insert(0, why)
    is_spam = score >= ai_float("AI_LOCAL_SPAM_THRESHOLD")
    return SpamVerdict(
        is_spam=is_spam, score=round(score, 3), reasons=tuple(reasons), kind=kind if is_spam else SpamKind.GENUINE
    )

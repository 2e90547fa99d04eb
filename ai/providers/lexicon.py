"""A small nl/en/fr lexicon of customer-service and common domain terms (delivery, orders, billing, returns,
accounts, appointments; cars, bikes, hotels), used only to widen lexical matching across languages: a message
saying "lekke band" shares the concepts "puncture" and "tyre" with a topic described as "crevaison, pneus".

Each line is one concept: its words and short phrases per language. Single words are looked up exactly, then by
their Snowball stem in each of the three languages (so plurals and conjugations match); phrases match as whole
words in order. The lexicon never decides alone: it adds concept tokens next to the words' own stems, and gives the
topic matcher short synthetic forms of a description in the other languages to embed.

Deliberately general: no tenant's own product names, and none of the vocabulary of the held-out evaluation
domains (housing, fashion) beyond what every shop shares (ai/evaluation/data/heldout)."""

import re
import threading
from functools import lru_cache

import Stemmer

from ai.providers.text import fold

LANGUAGES = ("en", "nl", "fr")
_STEMMERS = {"en": "english", "nl": "dutch", "fr": "french"}

CONCEPTS = (
    # orders, delivery, returns
    "en: delivery, deliver, delivered, shipping, shipped, ship, dispatch | nl: levering, leveren, geleverd, "
    "bezorging, bezorgd, bezorgen, verzending, verzonden, verzenden | fr: livraison, livrer, livre, expedition, "
    "expedie, envoi",
    "en: parcel, package | nl: pakket, pakketje, pakje | fr: colis",
    "en: order, ordered | nl: bestelling, besteld, bestellen, bestelnummer | fr: commande, commander, commande",
    "en: tracking, track and trace, tracking number | nl: track and trace, volgcode, trackingcode | fr: suivi, "
    "numero de suivi",
    "en: arrive, arrived, received, not arrived, still not | nl: aangekomen, ontvangen, nog niet, nog niks | "
    "fr: arrive, recu, toujours pas, pas encore",
    "en: late, delayed, delay | nl: vertraagd, vertraging, te laat | fr: retard, en retard, retarde",
    "en: return, returned, send back, sent back, bring back | nl: retour, retourneren, terugsturen, "
    "teruggestuurd, terugbrengen, retourzending | fr: retour, retourner, renvoyer, renvoye, rapporter",
    "en: exchange, swap | nl: ruilen, omruilen, omwisselen, wisselen | fr: echanger, echange",
    "en: refund, refunded, money back | nl: terugbetaling, terugbetalen, terugbetaald, geld terug | "
    "fr: remboursement, rembourser, rembourse",
    "en: label, return label | nl: label, retourlabel, etiket | fr: etiquette, etiquette de retour",
    "en: size, sizes, bigger, smaller | nl: maat, maten, maatje, groter, kleiner | fr: taille, tailles, pointure, "
    "plus grand, plus petit",
    "en: address | nl: adres, leveradres | fr: adresse",
    "en: cancel, cancelled, cancellation | nl: annuleren, geannuleerd, annulering, afzeggen | fr: annuler, "
    "annule, annulation",
    # money
    "en: invoice, invoices, receipt, bill | nl: factuur, facturen, bonnetje, kwitantie | fr: facture, factures, "
    "recu de paiement",
    "en: pay, paid, payment, payments, paying | nl: betalen, betaald, betaling, betalingen | fr: payer, paye, "
    "paiement, paiements, regler, reglement",
    "en: charged, debited, charged twice, paid twice | nl: afgeschreven, gedebiteerd, aangerekend, "
    "twee keer betaald, dubbel betaald | fr: debite, preleve, facture deux fois, paye deux fois",
    "en: price, prices, cost, costs, how much, quote, estimate | nl: prijs, prijzen, kost, kosten, hoeveel, "
    "offerte, prijsofferte | fr: prix, tarif, tarifs, cout, coute, combien, devis",
    "en: deposit, down payment | nl: aanbetaling, voorschot, waarborg | fr: acompte, caution, arrhes",
    "en: vat | nl: btw, btw-nummer | fr: tva",
    "en: card, credit card, bank card | nl: kaart, bankkaart, kredietkaart, creditcard, bancontact | "
    "fr: carte, carte bancaire, carte de credit",
    "en: discount, discount code, promo code, voucher | nl: korting, kortingscode, kortingsbon | fr: reduction, "
    "remise, code promo, bon de reduction",
    # accounts
    "en: account, profile | nl: account, profiel | fr: compte, profil",
    "en: log in, login, sign in | nl: inloggen, aanmelden, login | fr: connexion, connecter, se connecter",
    "en: password | nl: wachtwoord | fr: mot de passe",
    "en: email, e-mail, email address | nl: e-mail, mail, e-mailadres, mailadres | fr: e-mail, courriel, "
    "adresse e-mail",
    "en: newsletter | nl: nieuwsbrief | fr: newsletter, lettre d'information",
    "en: delete, remove | nl: verwijderen, wissen | fr: supprimer, effacer",
    # appointments, service
    "en: appointment, book, booking, slot | nl: afspraak, inplannen, langskomen | fr: rendez-vous, creneau",
    "en: reservation, reserve, booking, book | nl: reservering, reserveren, boeking, boeken | fr: reservation, "
    "reserver",
    "en: available, availability | nl: beschikbaar, beschikbaarheid, plek, plaats vrij | fr: disponible, "
    "disponibilite, de la place",
    "en: broken, defective, faulty, not working, doesn't work | nl: kapot, defect, werkt niet, doet het "
    "niet | fr: casse, en panne, defectueux, ne marche pas, ne fonctionne pas",
    "en: repair, fix, repaired, fixed | nl: herstellen, herstelling, repareren, reparatie | fr: reparer, "
    "reparation, repare",
    "en: warranty, guarantee | nl: garantie, waarborg | fr: garantie",
    "en: spare part, spare parts | nl: onderdeel, onderdelen, reserveonderdelen | fr: piece, pieces, "
    "piece detachee, pieces detachees",
    "en: urgent, asap, emergency | nl: dringend, spoed, zo snel mogelijk | fr: urgent, urgence, au plus vite",
    # vehicles: cars and bikes
    "en: car, vehicle | nl: auto, wagen, voertuig | fr: voiture, vehicule, auto",
    "en: bike, bicycle, e-bike | nl: fiets, e-bike, elektrische fiets | fr: velo, bicyclette, velo electrique",
    "en: tyre, tyres, tire, tires | nl: band, banden, autoband, winterbanden, zomerbanden | fr: pneu, pneus",
    "en: puncture, flat tyre, flat tire | nl: lek, lekke band, lekke, platte band | fr: crevaison, creve, "
    "crever, pneu creve, pneu a plat",
    "en: winter tyres, summer tyres | nl: winterbanden, zomerbanden | fr: pneus hiver, pneus ete",
    "en: wheel, wheels, balancing | nl: wiel, wielen, balanceren, uitbalanceren | fr: roue, roues, equilibrage",
    "en: service, maintenance, servicing, check-up, tune-up | nl: onderhoud, onderhoudsbeurt, beurt, "
    "nakijken | fr: entretien, revision, revise",
    "en: oil change, oil | nl: olie verversen, olie, olieverversing | fr: vidange, huile",
    "en: inspection, mot, roadworthiness test | nl: keuring, autokeuring, apk | fr: controle technique",
    "en: breakdown, broke down, broken down, won't start, doesn't start | nl: pech, panne, in panne, "
    "start niet, slaat niet aan | fr: panne, en panne, ne demarre plus, ne demarre pas",
    "en: tow, towing, tow truck, recovery | nl: slepen, sleepdienst, takelen, takeldienst | fr: remorquage, "
    "remorquer, depannage, depanneuse",
    "en: warning light, engine light, dashboard light | nl: waarschuwingslampje, lampje, controlelampje | "
    "fr: voyant, voyant moteur, temoin",
    "en: engine | nl: motor | fr: moteur",
    "en: noise, sound, squeak, grinding | nl: geluid, lawaai, piepen, piepend | fr: bruit, grincement",
    "en: battery | nl: batterij, accu | fr: batterie",
    "en: brake, brakes, brake pads | nl: rem, remmen, remblokken | fr: frein, freins, plaquettes",
    "en: clutch | nl: koppeling | fr: embrayage",
    "en: scratch, scratched, scrape, scraped | nl: kras, krassen, gekrast | fr: rayure, raye, rayer, eraflure",
    "en: dent, dented | nl: deuk, gedeukt, ingedeukt | fr: bosse, enfonce, cabosse",
    "en: bumper | nl: bumper | fr: pare-chocs",
    "en: windscreen, windshield | nl: voorruit, ruit | fr: pare-brise",
    "en: crack, cracked | nl: barst, gebarsten | fr: fissure, fissuree, fele",
    "en: bodywork, paint, repaint | nl: carrosserie, koetswerk, lak, spuiten, overspuiten | "
    "fr: carrosserie, peinture, repeindre",
    "en: accident, collision, crash, bumped | nl: ongeluk, ongeval, aanrijding, botsing | fr: accident, "
    "accrochage, collision",
    "en: insurance, insurer | nl: verzekering, verzekeraar | fr: assurance, assureur",
    "en: chain | nl: ketting | fr: chaine",
    "en: helmet | nl: helm, fietshelm | fr: casque",
    "en: lock | nl: slot, fietsslot | fr: antivol, cadenas",
    # hotels
    "en: room, rooms | nl: kamer, kamers | fr: chambre, chambres",
    "en: night, nights, stay | nl: nacht, nachten, verblijf, overnachting | fr: nuit, nuits, sejour",
    "en: guest, guests, person, persons, people | nl: gast, gasten, persoon, personen, pers | fr: personne, "
    "personnes, invite",
    "en: extra bed, cot, baby bed | nl: extra bed, bijzetbed, babybedje | fr: lit supplementaire, lit bebe",
    "en: breakfast | nl: ontbijt | fr: petit-dejeuner, petit dejeuner",
    "en: parking, car park, park | nl: parkeren, parking, parkeerplaats | fr: parking, stationnement, garer",
    "en: pool, swimming pool, spa | nl: zwembad, spa, wellness | fr: piscine, spa",
    "en: pet, pets, dog, dogs, cat | nl: huisdier, huisdieren, hond, honden, kat | fr: animal, animaux, chien, "
    "chiens, chat",
    "en: wheelchair, accessible, accessibility | nl: rolstoel, toegankelijk, toegankelijkheid | fr: fauteuil "
    "roulant, accessible, accessibilite",
    "en: check-in, check in, arrival | nl: inchecken, aankomst | fr: arrivee, check-in",
    "en: check-out, check out, departure, leave the room | nl: uitchecken, vertrek | fr: depart, check-out, "
    "liberer la chambre",
    "en: wifi, wi-fi, internet | nl: wifi, internet | fr: wifi, internet",
    "en: lost, forgot, forgotten, left behind | nl: verloren, vergeten, laten liggen, kwijt | fr: perdu, "
    "oublie, laisse",
    "en: charger | nl: oplader | fr: chargeur",
    "en: luggage, suitcase | nl: bagage, koffer | fr: bagage, bagages, valise",
)

_WORDS = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)


def _entries():
    """(concept index, language, folded entry) for every word and phrase of the lexicon."""
    for index, line in enumerate(CONCEPTS):
        for part in line.split("|"):
            lang, _, words = part.partition(":")
            for entry in words.split(","):
                entry = " ".join(_WORDS.findall(fold(entry)))
                if entry:
                    yield index, lang.strip(), entry


@lru_cache(maxsize=1)
def _tables():
    stemmers = {lang: Stemmer.Stemmer(name) for lang, name in _STEMMERS.items()}
    words, stems, phrases, forms = {}, {}, {}, {}
    for index, lang, entry in _entries():
        forms.setdefault(index, {}).setdefault(lang, []).append(entry)
        if " " in entry:
            phrases.setdefault(entry, set()).add(index)
            continue
        words.setdefault(entry, set()).add(index)
        if len(entry) >= 4:
            stems.setdefault((lang, stemmers[lang].stemWord(entry)), set()).add(index)
    pattern = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, phrases), key=len, reverse=True)) + r")\b")
    return words, stems, pattern, phrases, forms


_stemmers = threading.local()


def _stem(lang: str, word: str) -> str:
    cache = getattr(_stemmers, "by_lang", None)
    if cache is None:
        cache = _stemmers.by_lang = {lang: Stemmer.Stemmer(name) for lang, name in _STEMMERS.items()}
    return cache[lang].stemWord(word)


def concepts(text: str) -> set[int]:
    """The lexicon concepts `text` mentions (by word, by stem in nl/en/fr, or by phrase)."""
    words, stems, pattern, phrases, _ = _tables()
    folded = fold(text or "")
    found: set[int] = set()
    for match in pattern.finditer(folded):
        found |= phrases[match.group(0)]
    for word in _WORDS.findall(folded):
        hit = words.get(word)
        if hit:
            found |= hit
            continue
        if len(word) >= 4:
            for lang in LANGUAGES:
                hit = stems.get((lang, _stem(lang, word)))
                if hit:
                    found |= hit
    return found


def concept_tokens(text: str) -> list[str]:
    """Concept tokens for a bag of words ("§12"), one per concept mentioned."""
    return [f"§{index}" for index in sorted(concepts(text))]


def forms(index: int, lang: str) -> list[str]:
    """The lexicon's words and phrases for concept `index` in `lang` (accent-folded)."""
    return list(_tables()[4].get(index, {}).get(lang, []))

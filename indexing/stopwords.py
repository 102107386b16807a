"""English function words: what "content word" excludes everywhere (BM25's
terms, Doc2Vec's inference words, the senses' vocabulary, the explanations).

gensim's STOPWORDS (337 words, from the Glasgow IR list) was the list until
now; it also holds everyday content words, so "interest" in "interest rates"
was never highlighted, "fire" on bushfire stories left the Senses column with
"only function words", and `python -m search "interest"` found nothing. This
is that list with those words taken out, reviewed one by one: nouns, verbs
and adjectives that say what a text is about (50 words:
amount, back, bill, bottom, call, computer, con, cry, describe, detail, due,
empty, fill, find, fire, first, found, front, full, get, give, go, interest,
keep, kg, km, last, made, make, mill, move, name, part, put, say, see,
serious, show, side, sincere, system, take, thick, thin, third, top, used,
using, well, whole).
What stays is closed-class: articles, pronouns, prepositions, conjunctions,
auxiliaries and modals, quantifiers, number words, degree and sentence
adverbs, and a few abbreviations (etc, eg, ie, inc, ltd, co): 287 words.
"""
from __future__ import annotations

ENGLISH_STOP_WORDS = frozenset("""
a about above across after afterwards again against all almost alone along already also although
always am among amongst amoungst an and another any anyhow anyone anything anyway anywhere are
around as at be became because become becomes becoming been before beforehand behind being below
beside besides between beyond both but by can cannot cant co could couldnt de did didn do does doesn
doing don done down during each eg eight either eleven else elsewhere enough etc even ever every
everyone everything everywhere except few fifteen fifty five for former formerly forty four from
further had has hasnt have he hence her here hereafter hereby herein hereupon hers herself him
himself his how however hundred i ie if in inc indeed into is it its itself just latter latterly
least less ltd many may me meanwhile might mine more moreover most mostly much must my myself namely
neither never nevertheless next nine no nobody none noone nor not nothing now nowhere of off often
on once one only onto or other others otherwise our ours ourselves out over own per perhaps please
quite rather re really regarding same seem seemed seeming seems several she should since six sixty
so some somehow someone something sometime sometimes somewhere still such ten than that the their
them themselves then thence there thereafter thereby therefore therein thereupon these they this
those though three through throughout thru thus to together too toward towards twelve twenty two un
under unless until up upon us various very via was we were what whatever when whence whenever where
whereafter whereas whereby wherein whereupon wherever whether which while whither who whoever whom
whose why will with within without would yet you your yours yourself yourselves
""".split())

# Korean function morphemes (particles, endings, suffixes, pronouns, bound
# nouns, determiners, adverbs) are told apart by the analyser's tags
# (`indexing.korean`), not by a list. What the tags call a verb but works
# as "do", "be" and "become" do in English is listed here, as dictionary
# forms: 하다 (do; also the verb-forming 하 of 공부하다), 되다 (become),
# 있다 and 없다 (there is, there is not), 않다 (not).
KOREAN_STOP_WORDS = frozenset("하다 되다 있다 없다 않다".split())

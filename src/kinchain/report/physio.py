"""For the physiotherapist: each gait finding and each likely cause turned into what it means,
the usual clinical tests to confirm or refute it, and what to re-measure at follow-up.

The table is data (:data:`FINDING_GUIDANCE` by finding name, :data:`CAUSE_GUIDANCE` by cause),
each entry with the published sources it rests on; :func:`guidance_for` picks the entries an
assessment needs: the findings that fired (with their sides and severities) and the causes the
clinical engine ranks "likely" or "possible". The report's section "For the physiotherapist: what
to test next" and ``analysis.json``'s ``physio_guidance`` (:func:`guidance_dict`) show the same.

No normal value or cut-off is given for a clinical test unless the cited source gives it: a test
is named with what it examines, and its result is read against the source and the other side.
Entries marked ``refer_first`` are causes that a doctor must assess before physiotherapy testing
or loading (the referral and its urgency come from the clinical engine).

References (the entries cite these by short name, see :data:`SOURCES`)
----------------------------------------------------------------------
Perry J, Burnfield JM. Gait Analysis: Normal and Pathological Function. 2nd ed. Thorofare, NJ:
SLACK; 2010.
Magee DJ. Orthopedic Physical Assessment. 6th ed. St Louis, MO: Elsevier Saunders; 2014.
Norkin CC, White DJ. Measurement of Joint Motion: A Guide to Goniometry. 5th ed. Philadelphia:
F.A. Davis; 2016.
And the papers and guidelines in :data:`SOURCES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from kinchain.analysis import GaitAnalysis
from kinchain.assessment import Assessment
from kinchain.chain.finding import Finding
from kinchain.clinical.result import CauseAssessment, CauseId

__all__ = [
    "CAUSE_GUIDANCE",
    "FINDING_GUIDANCE",
    "SOURCES",
    "Guidance",
    "GuidanceItem",
    "guidance_dict",
    "guidance_for",
]

#: Short name -> full citation of every source the guidance cites.
SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "Perry 2010": "Perry J, Burnfield JM. Gait Analysis: Normal and Pathological Function. "
        "2nd ed. Thorofare, NJ: SLACK; 2010.",
        "Magee 2014": "Magee DJ. Orthopedic Physical Assessment. 6th ed. St Louis, MO: Elsevier "
        "Saunders; 2014.",
        "Norkin 2016": "Norkin CC, White DJ. Measurement of Joint Motion: A Guide to Goniometry. "
        "5th ed. Philadelphia: F.A. Davis; 2016.",
        "Redmond 2006": "Redmond AC, Crosbie J, Ouvrier RA. Development and validation of a novel "
        "rating system for scoring standing foot posture: the Foot Posture Index. Clin Biomech "
        "2006;21(1):89-98.",
        "Brody 1982": "Brody DM. Techniques in the evaluation and treatment of the injured runner. "
        "Orthop Clin North Am 1982;13(3):541-558.",
        "Coleman 1977": "Coleman SS, Chesnut WJ. A simple test for hindfoot flexibility in the "
        "cavovarus foot. Clin Orthop Relat Res 1977;(123):60-62.",
        "Hébert-Losier 2009": "Hébert-Losier K, Newsham-West RJ, Schneiders AG, Sullivan SJ. "
        "Raising the standards of the calf-raise test: a systematic review. J Sci Med Sport "
        "2009;12(6):594-602.",
        "Robinson 2001": "Robinson JM, Cook JL, Purdam C, et al. The VISA-A questionnaire: a valid "
        "and reliable index of the clinical severity of Achilles tendinopathy. Br J Sports Med "
        "2001;35(5):335-341.",
        "Bennell 1998": "Bennell KL, Talbot RC, Wajswelner H, Techovanich W, Kelly DH, Hall AJ. "
        "Intra-rater and inter-rater reliability of a weight-bearing lunge measure of ankle "
        "dorsiflexion. Aust J Physiother 1998;44(3):175-180.",
        "Sturgill 2009": "Sturgill LP, Snyder-Mackler L, Manal TJ, Axe MJ. Interrater reliability "
        "of a clinical scale to assess knee joint effusion. J Orthop Sports Phys Ther "
        "2009;39(12):845-849.",
        "Staheli 1985": "Staheli LT, Corbett M, Wyss C, King H. Lower-extremity rotational "
        "problems in children: normal values to guide management. J Bone Joint Surg Am "
        "1985;67(1):39-47.",
        "McGinley 2009": "McGinley JL, Baker R, Wolfe R, Morris ME. The reliability of "
        "three-dimensional kinematic gait measurements: a systematic review. Gait Posture "
        "2009;29:360-369.",
        "Crossley 2011": "Crossley KM, Zhang WJ, Schache AG, Bryant A, Cowan SM. Performance on "
        "the single-leg squat task indicates hip abductor muscle function. Am J Sports Med "
        "2011;39(4):866-873.",
        "Perera 2006": "Perera S, Mody SH, Woodman RC, Studenski SA. Meaningful change and "
        "responsiveness in common physical performance measures in older adults. J Am Geriatr "
        "Soc 2006;54:743-749.",
        "Benjaminse 2006": "Benjaminse A, Gokeler A, van der Schans CP. Clinical diagnosis of an "
        "anterior cruciate ligament rupture: a meta-analysis. J Orthop Sports Phys Ther "
        "2006;36(5):267-288.",
        "van Dijk 1996": "van Dijk CN, Lim LS, Bossuyt PM, Marti RK. Physical examination is "
        "sufficient for the diagnosis of sprained ankles. J Bone Joint Surg Br "
        "1996;78(6):958-962.",
        "van der Windt 2010": "van der Windt DA, Simons E, Riphagen II, et al. Physical "
        "examination for lumbar radiculopathy due to disc herniation in patients with low-back "
        "pain. Cochrane Database Syst Rev 2010;(2):CD007431.",
        "Bouhassira 2005": "Bouhassira D, Attal N, Alchaar H, et al. Comparison of pain syndromes "
        "associated with nervous or somatic lesions and development of a new neuropathic pain "
        "diagnostic questionnaire (DN4). Pain 2005;114(1-2):29-36.",
        "NICE NG19": "NICE guideline NG19 (2015, updated 2019). Diabetic foot problems: "
        "prevention and management.",
        "NICE NG100": "NICE guideline NG100 (2018). Rheumatoid arthritis in adults: management.",
        "Aletaha 2010": "Aletaha D, Neogi T, Silman AJ, et al. 2010 Rheumatoid arthritis "
        "classification criteria: an American College of Rheumatology/European League Against "
        "Rheumatism collaborative initiative. Arthritis Rheum 2010;62(9):2569-81.",
        "Neogi 2015": "Neogi T, Jansen TL, Dalbeth N, et al. 2015 Gout Classification Criteria: "
        "an American College of Rheumatology/European League Against Rheumatism collaborative "
        "initiative. Arthritis Rheumatol 2015;67(10):2557-68.",
        "NICE NG219": "NICE guideline NG219 (2022). Gout: diagnosis and management.",
        "Stiell 1993": "Stiell IG, Greenberg GH, McKnight RD, et al. Decision rules for the use "
        "of radiography in acute ankle injuries: refinement and prospective validation. JAMA "
        "1993;269(9):1127-32.",
        "Stiell 1995": "Stiell IG, Greenberg GH, Wells GA, et al. Derivation of a decision rule "
        "for the use of radiography in acute knee injuries. Ann Emerg Med 1995;26(4):405-13.",
        "Coakley 2006": "Coakley G, et al. BSR & BHPR, BOA, RCGP and BSAC guidelines for "
        "management of the hot swollen joint in adults. Rheumatology 2006;45:1039-41.",
        "Wells 2003": "Wells PS, Anderson DR, Rodger M, et al. Evaluation of D-dimer in the "
        "diagnosis of suspected deep-vein thrombosis. N Engl J Med 2003;349:1227-35.",
        "NICE NG158": "NICE guideline NG158 (2020). Venous thromboembolic diseases: diagnosis, "
        "management and thrombophilia testing.",
        "Donaldson 2014": "Donaldson J, Haddad B, Khan WS. The pathophysiology, diagnosis and "
        "current management of acute compartment syndrome. Open Orthop J 2014;8:185-93.",
        "Björck 2020": "Björck M, et al. European Society for Vascular Surgery (ESVS) 2020 "
        "clinical practice guidelines on the management of acute limb ischaemia. Eur J Vasc "
        "Endovasc Surg 2020;59:173-218.",
        "NICE CG147": "NICE clinical guideline CG147 (2012). Peripheral arterial disease: "
        "diagnosis and management.",
        "NICE NG128": "NICE guideline NG128 (2019). Stroke and transient ischaemic attack in over "
        "16s: diagnosis and initial management.",
        "NICE NG141": "NICE guideline NG141 (2019). Cellulitis and erysipelas: antimicrobial "
        "prescribing.",
        "NICE NG51": "NICE guideline NG51 (2016). Sepsis: recognition, diagnosis and early "
        "management.",
        "NICE CG143": "NICE clinical guideline CG143 (2012). Sickle cell disease: managing acute "
        "painful episodes in hospital.",
        "Cabral 2020": "Cabral BMI, et al. Dis Mon 2020;66:101015.",
        "Delgado 2023": "Delgado V, et al. 2023 ESC Guidelines for the management of "
        "endocarditis. Eur Heart J 2023;44:3948-4042.",
        "NICE NG125": "NICE guideline NG125 (2019). Surgical site infections: prevention and "
        "treatment.",
        "Mackie 2020": "Mackie SL, et al. British Society for Rheumatology guideline on diagnosis "
        "and treatment of giant cell arteritis. Rheumatology 2020;59:e1-e23.",
        "Dasgupta 2010": "Dasgupta B, et al. BSR and BHPR guidelines for the management of "
        "polymyalgia rheumatica. Rheumatology 2010;49:186-90.",
        "NICE CKS Sciatica": "NICE Clinical Knowledge Summaries. Sciatica (lumbar "
        "radiculopathy): red flags.",
    }
)


@dataclass(frozen=True)
class Guidance:
    """What a finding or cause means for the physiotherapist and what to do about it.

    Attributes
    ----------
    title
        Plain name of the finding or cause.
    meaning
        What it means, in plain clinical words.
    tests
        The usual clinical tests to confirm or refute it (no cut-off unless the source gives it).
    remeasure_gait
        kinchain measures to compare at the follow-up gait analysis (as labelled in the report).
    remeasure_clinic
        Clinical tests and outcome measures to repeat at follow-up.
    sources
        Short names of the sources (keys of :data:`SOURCES`).
    refer_first
        True when a doctor must assess it before physiotherapy testing or loading.
    """

    title: str
    meaning: str
    tests: tuple[str, ...]
    remeasure_gait: tuple[str, ...]
    remeasure_clinic: tuple[str, ...]
    sources: tuple[str, ...]
    refer_first: bool = False

    def citations(self) -> tuple[str, ...]:
        """The full citations of :attr:`sources`."""
        return tuple(SOURCES[s] for s in self.sources)


_OUTCOMES = "the patient-reported outcome of the region (KOOS, FAAM or LEFS) and pain (0-10)"

FINDING_GUIDANCE: Mapping[str, Guidance] = MappingProxyType(
    {
        "antalgic_gait": Guidance(
            title="Antalgic gait",
            meaning="The patient spends less time on this leg (shorter stance and single "
            "support) and shifts load to the other leg: the usual way of avoiding pain on "
            "loading. Find what hurts on loading and where.",
            tests=(
                "Pain during loading: pain (0-10) in single-leg stance and on walking",
                "Single-leg stance on each leg, compared side to side",
                "Palpation and joint-specific examination of the painful region (knee, ankle, "
                "hip) to find the source of the pain",
            ),
            remeasure_gait=(
                "Single support and stance, % of stride, each side",
                "Their symmetry indices, and the vertical force peak when a force plate was used",
                "Walking speed",
            ),
            remeasure_clinic=(
                "Pain (0-10) on loading",
                "Single-leg stance, side to side",
                _OUTCOMES,
            ),
            sources=("Perry 2010", "Magee 2014"),
        ),
        "altered_foot_strike_timing": Guidance(
            title="Altered foot-strike timing",
            meaning="Step times differ between the legs and the load comes onto the foot at a "
            "different rate: the patient lands differently on one side, for pain, stiffness of "
            "the ankle or a change of strike pattern.",
            tests=(
                "Observation of initial contact (heel, flat foot or forefoot) on each side",
                "Ankle dorsiflexion range in weight bearing (weight-bearing lunge test), side "
                "to side",
                "Pain on heel or forefoot loading (palpation of the heel pad and forefoot)",
            ),
            remeasure_gait=(
                "Step time, s, each side, and its symmetry index",
                "Loading rate symmetry when a force plate was used",
            ),
            remeasure_clinic=(
                "Weight-bearing lunge test, side to side",
                "Pain (0-10) on walking",
            ),
            sources=("Perry 2010", "Bennell 1998", "Magee 2014"),
        ),
        "stiff_knee": Guidance(
            title="Stiff knee",
            meaning="The knee bends less than normal when the foot takes the load and in swing, "
            "and absorbs less power: a guarded or stiff knee (pain, effusion, quadriceps "
            "inhibition, loss of range, or an overactive rectus femoris in swing).",
            tests=(
                "Goniometry of knee flexion and extension range, active and passive, side to side",
                "Quadriceps lag (extensor lag) on active knee extension / straight-leg raise",
                "Knee effusion: stroke (sweep) test graded on its published scale",
                "Rectus femoris length and tone (Ely test) when knee flexion in swing is reduced",
            ),
            remeasure_gait=(
                "Knee flexion at loading response, deg",
                "Peak knee flexion in swing, deg",
                "Knee flexion range over the stride, deg",
                "Knee power absorption in early and late stance (K1, K3), W/kg, with a force plate",
            ),
            remeasure_clinic=(
                "Knee range by goniometry",
                "Quadriceps lag",
                "Effusion grade (stroke test)",
                _OUTCOMES,
            ),
            sources=("Perry 2010", "Norkin 2016", "Sturgill 2009", "Magee 2014"),
        ),
        "leg_rotation": Guidance(
            title="Leg rotation",
            meaning="The foot points in or out more than normal while walking, with the hip "
            "rotated: in-toeing or out-toeing from femoral or tibial torsion, hip range or hip "
            "muscle control. The hip rotation angle of 3D gait analysis carries several degrees "
            "of marker-placement error; check it against the clinical examination.",
            tests=(
                "Hip internal and external rotation range, prone, side to side",
                "Femoral anteversion estimate (Craig's test)",
                "Tibial torsion: thigh-foot angle",
                "Hip abductor and external rotator control: single-leg squat",
            ),
            remeasure_gait=(
                "Foot progression angle in stance, deg",
                "Hip rotation in stance, deg",
            ),
            remeasure_clinic=(
                "Hip rotation range, prone",
                "Thigh-foot angle",
                "Single-leg squat rating",
            ),
            sources=("Magee 2014", "Staheli 1985", "Crossley 2011", "McGinley 2009"),
        ),
        "overpronation": Guidance(
            title="Overpronation",
            meaning="The centre of pressure runs on the medial side of the foot in stance: the "
            "foot rolls in (pronates) while it carries load, which loads the medial arch, the "
            "tibialis posterior and the medial knee.",
            tests=(
                "Foot Posture Index (FPI-6), standing relaxed",
                "Navicular drop (sitting to standing)",
                "Single-leg heel raise: watch whether the heel inverts (tibialis posterior "
                "function)",
                "Ankle dorsiflexion range (weight-bearing lunge test)",
            ),
            remeasure_gait=(
                "Centre-of-pressure offset from the foot axis in stance, mm (force plate)",
                "Ankle inversion in stance, deg",
            ),
            remeasure_clinic=("Foot Posture Index", "Navicular drop", _OUTCOMES),
            sources=("Redmond 2006", "Brody 1982", "Magee 2014", "Bennell 1998"),
        ),
        "supination": Guidance(
            title="Supination",
            meaning="The centre of pressure runs on the lateral side of the foot in stance: the "
            "foot stays rolled out (supinated), as in a high-arched (cavus) foot or lateral "
            "ankle instability, loading the lateral ankle and the fifth metatarsal.",
            tests=(
                "Foot Posture Index (FPI-6), standing relaxed",
                "Hindfoot flexibility: Coleman block test",
                "Lateral ankle ligament laxity: anterior drawer and talar tilt",
                "Peroneal (evertor) strength, side to side",
            ),
            remeasure_gait=(
                "Centre-of-pressure offset from the foot axis in stance, mm (force plate)",
                "Ankle inversion in stance, deg",
            ),
            remeasure_clinic=("Foot Posture Index", "Evertor strength", _OUTCOMES),
            sources=("Redmond 2006", "Coleman 1977", "Magee 2014"),
        ),
        "ankle_overload": Guidance(
            title="Ankle overload",
            meaning="The ankle carries more than its share: a high plantarflexor moment and "
            "push-off power, and a larger share of the leg's support and work. The calf and "
            "Achilles tendon are working harder than normal, often to make up for the knee or "
            "hip.",
            tests=(
                "Single-leg heel-raise test: number of raises and their height, side to side "
                "(no universally accepted normal count exists)",
                "Achilles tendon: palpation, and the VISA-A questionnaire when it is painful",
                "Ankle dorsiflexion range (weight-bearing lunge test)",
            ),
            remeasure_gait=(
                "Peak ankle plantarflexor moment, N·m/kg",
                "Peak ankle power at push-off (A2), W/kg",
                "Ankle share of the support moment and of positive work",
            ),
            remeasure_clinic=(
                "Single-leg heel-raise count, side to side",
                "VISA-A when the Achilles tendon is painful",
                _OUTCOMES,
            ),
            sources=("Perry 2010", "Hébert-Losier 2009", "Robinson 2001", "Bennell 1998"),
        ),
        "knee_to_ankle_propagation": Guidance(
            title="Knee-to-ankle propagation",
            meaning="The knee is stiff or guarded and, on the same strides, the ankle takes over "
            "the work the knee is not doing: the ankle problem may be driven by the knee. "
            "Examine and treat the knee as well as the ankle.",
            tests=(
                "The stiff-knee tests: knee range by goniometry, quadriceps lag, effusion",
                "The ankle-overload tests: single-leg heel-raise test, Achilles tendon palpation",
            ),
            remeasure_gait=(
                "Knee flexion at loading response and peak knee flexion in swing, deg",
                "Ankle share of the support moment and of positive work",
                "Peak ankle power at push-off (A2), W/kg",
            ),
            remeasure_clinic=(
                "Knee range by goniometry",
                "Single-leg heel-raise count, side to side",
                _OUTCOMES,
            ),
            sources=("Perry 2010", "Norkin 2016", "Hébert-Losier 2009"),
        ),
    }
)


def _refer(title: str, meaning: str, what: str, sources: tuple[str, ...]) -> Guidance:
    """A cause a doctor must assess first: the physiotherapist's part is to refer and hold."""
    return Guidance(
        title=title,
        meaning=meaning,
        tests=(
            f"Not for physiotherapy testing: {what}",
            "Follow the referral and its urgency in the clinical assessment; do not start "
            "exercise, loading or manual therapy until a doctor has ruled it out",
        ),
        remeasure_gait=(),
        remeasure_clinic=("After medical clearance: " + _OUTCOMES,),
        sources=sources,
        refer_first=True,
    )


CAUSE_GUIDANCE: Mapping[CauseId, Guidance] = MappingProxyType(
    {
        CauseId.kinetic_chain_mechanical: Guidance(
            title="Mechanical compensation through the kinetic chain",
            meaning="The pain is most likely mechanical: one joint's deviation (often the knee) "
            "changes the loading of the next. The gait findings above say where; the "
            "examination confirms which tissue is overloaded and what drives it.",
            tests=(
                "The tests of each gait finding that fired (in this section)",
                "Single-leg squat: hip and knee control",
                "Knee and ankle range by goniometry, side to side",
            ),
            remeasure_gait=(
                "The measures of each fired finding (in this section)",
                "Walking speed, m/s",
            ),
            remeasure_clinic=("Single-leg squat rating", _OUTCOMES),
            sources=("Perry 2010", "Crossley 2011", "Norkin 2016", "Perera 2006"),
        ),
        CauseId.soft_tissue_injury: Guidance(
            title="Ligament sprain or soft-tissue injury",
            meaning="An injury of a ligament, tendon or muscle: confirm which structure and "
            "grade it; first rule out a fracture with the Ottawa rules after a fall or twist.",
            tests=(
                "Ottawa knee or ankle rule first, after an injury",
                "Knee: Lachman test (anterior cruciate ligament), valgus and varus stress, "
                "joint-line tenderness",
                "Ankle: anterior drawer and palpation of the lateral ligaments, best a few days "
                "after the injury",
            ),
            remeasure_gait=("Walking speed, m/s", "Stance and single support symmetry"),
            remeasure_clinic=("The positive stress tests", "Knee or ankle range", _OUTCOMES),
            sources=(
                "Stiell 1993",
                "Stiell 1995",
                "Benjaminse 2006",
                "van Dijk 1996",
                "Magee 2014",
            ),
        ),
        CauseId.inflammatory_arthritis: Guidance(
            title="Inflammatory arthritis",
            meaning="Joint inflammation from a systemic disease (e.g. rheumatoid arthritis): "
            "needs a rheumatologist; exercise is adapted to disease activity.",
            tests=(
                "Count of swollen and tender joints, small joints of the hands and feet "
                "included, as the 2010 classification criteria count them",
                "Duration of morning stiffness",
                "Refer for a specialist opinion when synovitis persists (NICE NG100)",
            ),
            remeasure_gait=("Walking speed, m/s",),
            remeasure_clinic=("Swollen and tender joint count", "Morning stiffness", _OUTCOMES),
            sources=("NICE NG100", "Aletaha 2010"),
        ),
        CauseId.gout: Guidance(
            title="Gout",
            meaning="A crystal arthritis flare (often the big toe, ankle or knee): a doctor "
            "confirms and treats it; do not load a hot, swollen joint during a flare.",
            tests=(
                "Not for physiotherapy testing during a flare: refer to the GP for diagnosis "
                "(joint aspiration or the classification criteria)",
            ),
            remeasure_gait=("Walking speed, m/s, once the flare has settled",),
            remeasure_clinic=(_OUTCOMES,),
            sources=("NICE NG219", "Neogi 2015"),
            refer_first=True,
        ),
        CauseId.lumbar_radiculopathy: Guidance(
            title="Sciatica / lumbar radiculopathy",
            meaning="Leg pain from an irritated lumbar nerve root: the knee or ankle may not be "
            "the source. Screen for cauda equina first.",
            tests=(
                "Cauda equina red flags (saddle numbness, bladder or bowel change): emergency "
                "referral",
                "Straight-leg raise and slump test",
                "Myotomes, dermatomes and reflexes of the lower limb",
            ),
            remeasure_gait=("Walking speed, m/s",),
            remeasure_clinic=(
                "Straight-leg raise angle",
                "Neurological examination",
                "Pain (0-10)",
            ),
            sources=("van der Windt 2010", "Magee 2014", "NICE CKS Sciatica"),
        ),
        CauseId.peripheral_neuropathy: Guidance(
            title="Peripheral neuropathy",
            meaning="Nerve damage of the feet and legs (e.g. diabetic): loss of protective "
            "sensation changes gait and puts the foot at risk.",
            tests=(
                "Protective sensation: 10 g monofilament",
                "Vibration sense (128 Hz tuning fork) and ankle reflexes",
                "Neuropathic pain screen: DN4 questionnaire",
            ),
            remeasure_gait=("Walking speed, m/s", "Step width, m"),
            remeasure_clinic=("Monofilament and vibration sense", "DN4", "Pain (0-10)"),
            sources=("NICE NG19", "Bouhassira 2005", "Magee 2014"),
        ),
        CauseId.fracture: _refer(
            "Fracture or dislocation",
            "A broken bone or dislocated joint is possible.",
            "apply the Ottawa knee or ankle rule and refer for an X-ray when it is positive; "
            "no weight-bearing tests",
            ("Stiell 1993", "Stiell 1995"),
        ),
        CauseId.septic_arthritis: _refer(
            "Septic arthritis",
            "A hot, swollen joint can be infected: an emergency.",
            "same-day medical assessment and joint aspiration",
            ("Coakley 2006",),
        ),
        CauseId.dvt: _refer(
            "Deep-vein thrombosis",
            "A clot in a leg vein can cause calf pain and swelling.",
            "Wells score and D-dimer or ultrasound by a doctor the same day",
            ("Wells 2003", "NICE NG158"),
        ),
        CauseId.compartment_syndrome: _refer(
            "Acute compartment syndrome",
            "Raised pressure in a muscle compartment: a surgical emergency.",
            "emergency department now",
            ("Donaldson 2014",),
        ),
        CauseId.acute_limb_ischaemia: _refer(
            "Acute limb ischaemia",
            "The blood supply of the leg is blocked: an emergency.",
            "emergency department now",
            ("Björck 2020",),
        ),
        CauseId.infection_or_malignancy: _refer(
            "Bone or spinal infection or malignancy",
            "Night pain, weight loss, fever or a history of cancer need medical investigation.",
            "urgent medical assessment and imaging",
            ("NICE CKS Sciatica",),
        ),
        CauseId.pulmonary_embolism: _refer(
            "Pulmonary embolism",
            "A clot in the lung: an emergency.",
            "emergency department now",
            ("NICE NG158",),
        ),
        CauseId.stroke_tia: _refer(
            "Stroke or transient ischaemic attack",
            "Sudden weakness or numbness can be a stroke: an emergency.",
            "emergency department now",
            ("NICE NG128",),
        ),
        CauseId.cellulitis: _refer(
            "Cellulitis or another skin infection",
            "A red, hot, spreading skin infection needs antibiotics.",
            "same-day medical assessment",
            ("NICE NG141", "NICE NG51"),
        ),
        CauseId.peripheral_arterial_disease: _refer(
            "Peripheral arterial disease",
            "Narrowed leg arteries cause calf pain on walking that settles with rest.",
            "medical assessment (ankle-brachial pressure index, vascular review)",
            ("NICE CG147",),
        ),
        CauseId.rhabdomyolysis: _refer(
            "Rhabdomyolysis",
            "Muscle breakdown after exertion, injury or some medicines: an emergency.",
            "emergency department now",
            ("Cabral 2020",),
        ),
        CauseId.sickle_cell_crisis: _refer(
            "Sickle cell crisis",
            "A painful crisis of sickle cell disease needs hospital care.",
            "urgent medical assessment",
            ("NICE CG143",),
        ),
        CauseId.infective_endocarditis: _refer(
            "Infective endocarditis",
            "An infection of the heart valves can present with joint and limb pain.",
            "urgent medical assessment",
            ("Delgado 2023",),
        ),
        CauseId.postoperative_complication: _refer(
            "Complication of a recent operation",
            "Infection, a clot or a problem with the implant after surgery.",
            "contact the operating team or a doctor the same day",
            ("NICE NG125", "NICE NG158"),
        ),
        CauseId.pmr_gca: _refer(
            "Polymyalgia rheumatica or giant-cell arteritis",
            "Inflammatory pain and stiffness of the shoulders and hips in older people; "
            "headache or visual symptoms mean giant-cell arteritis, an emergency.",
            "medical assessment, the same day with headache or visual symptoms",
            ("Dasgupta 2010", "Mackie 2020"),
        ),
        CauseId.diabetic_foot: _refer(
            "Diabetic foot problem",
            "An ulcer, infection or Charcot foot in a person with diabetes.",
            "refer to the diabetic foot service; off-load, no exercise on the foot",
            ("NICE NG19",),
        ),
    }
)


@dataclass(frozen=True)
class GuidanceItem:
    """One entry of the guidance applied to this assessment.

    Attributes
    ----------
    kind
        ``"finding"`` or ``"cause"``.
    key
        The finding's name or the cause's id.
    why
        Why it is listed, e.g. ``"fired: left moderate, right mild"`` or
        ``"ranked 1: likely (moderate confidence)"``.
    guidance
        The table's entry.
    """

    kind: Literal["finding", "cause"]
    key: str
    why: str
    guidance: Guidance


_SEVERITY_RANK = {"severe": 0, "moderate": 1, "mild": 2, "none": 3}


def _finding_items(findings: tuple[Finding, ...]) -> list[GuidanceItem]:
    fired: dict[str, list[Finding]] = {}
    for f in findings:
        if f.fired:
            fired.setdefault(f.name, []).append(f)
    ranked = sorted(fired.items(), key=lambda kv: min(_SEVERITY_RANK[f.severity] for f in kv[1]))
    out = []
    for name, fs in ranked:
        parts = []
        for f in sorted(fs, key=lambda f: f.side):
            side = "both sides" if f.side == "both" else f.side
            few = ", too few strides to grade" if f.insufficient_strides else ""
            parts.append(f"{side} {f.severity}{few}")
        out.append(
            GuidanceItem("finding", name, "fired: " + "; ".join(parts), FINDING_GUIDANCE[name])
        )
    return out


def _cause_items(causes: list[CauseAssessment]) -> list[GuidanceItem]:
    return [
        GuidanceItem(
            "cause",
            c.cause.value,
            f"ranked {c.rank}: {c.likelihood} ({c.confidence} confidence)",
            CAUSE_GUIDANCE[c.cause],
        )
        for c in sorted(causes, key=lambda c: c.rank)
        if c.likelihood in ("likely", "possible")
    ]


def guidance_for(assessment: Assessment | GaitAnalysis) -> list[GuidanceItem]:
    """What to test next for this patient.

    Parameters
    ----------
    assessment
        A gait analysis joined with its clinical assessment, or a gait analysis alone.

    Returns
    -------
    list of GuidanceItem
        Causes a doctor must assess first (``refer_first``) that the engine ranks likely or
        possible, in rank order; then each fired finding once (all its sides in ``why``), most
        severe first; then the other likely or possible causes in rank order. Empty when
        nothing fired and no cause is likely or possible.
    """
    gait = assessment.gait if isinstance(assessment, Assessment) else assessment
    findings = _finding_items(gait.findings)
    if not isinstance(assessment, Assessment):
        return findings
    causes = _cause_items(assessment.clinical.causes)
    first = [c for c in causes if c.guidance.refer_first]
    rest = [c for c in causes if not c.guidance.refer_first]
    return [*first, *findings, *rest]


def guidance_dict(items: list[GuidanceItem]) -> list[dict[str, Any]]:
    """``analysis.json``'s ``physio_guidance``: each item with its full citations (JSON-ready)."""
    return [
        {
            "kind": i.kind,
            "key": i.key,
            "title": i.guidance.title,
            "why": i.why,
            "meaning": i.guidance.meaning,
            "tests": list(i.guidance.tests),
            "remeasure_gait": list(i.guidance.remeasure_gait),
            "remeasure_clinic": list(i.guidance.remeasure_clinic),
            "refer_first": i.guidance.refer_first,
            "sources": list(i.guidance.citations()),
        }
        for i in items
    ]

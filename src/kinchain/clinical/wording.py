"""Plain words for the intake fields a person is asked about: the question as it is asked, and
the answer "yes" as a condition ("Go to the emergency department now if: ...").

The intake's field descriptions document the data for developers and clinicians; these are the
words the patient and the clinician read in ``ask_next``, ``what_would_change`` and the urgency
statement. A field without an entry falls back to its description.
"""

from __future__ import annotations

QUESTIONS: dict[str, tuple[str, str]] = {
    # field: (question, condition when the answer is yes)
    "demographics.pregnant": ("Are you pregnant?", "you are pregnant"),
    "demographics.gave_birth_6_weeks": (
        "Have you given birth in the last 6 weeks?",
        "you gave birth in the last 6 weeks",
    ),
    "episode.max_pain_within_24h": (
        "Did the pain reach its worst within 24 hours?",
        "the pain reached its worst within 24 hours",
    ),
    "exam.large_effusion": (
        "On examination, is there a large knee effusion (haemarthrosis)?",
        "there is a large knee effusion",
    ),
    "exam.tendon_rupture_suspected": (
        "On examination, is a tendon rupture suspected?",
        "a tendon rupture is suspected",
    ),
    "function.bears_weight_4_steps": (
        "Can you take 4 steps on the leg now (limping is fine)?",
        "you can take 4 steps on the leg",
    ),
    "function.can_straight_leg_raise": (
        "Lying down, can you lift the leg with the knee straight?",
        "you can lift the straightened leg",
    ),
    "function.interferes_daily_activities": (
        "Does the pain get in the way of your daily activities?",
        "the pain gets in the way of daily activities",
    ),
    "function.interferes_sleep": ("Does the pain disturb your sleep?", "the pain disturbs sleep"),
    "function.knee_locked": (
        "Is the knee locked (stuck, so you cannot straighten it)?",
        "the knee is locked and will not straighten",
    ),
    "function.restricted_movement": (
        "Does the pain stop you moving the joint?",
        "the pain stops you moving the joint",
    ),
    "general.breathless": (
        "Are you newly or suddenly short of breath?",
        "you become short of breath",
    ),
    "general.chest_pain": (
        "Do you have chest pain, especially when breathing in?",
        "you have chest pain",
    ),
    "general.coughing_blood": ("Are you coughing up blood?", "you cough up blood"),
    "general.fainting": (
        "Have you fainted, collapsed or nearly fainted?",
        "you faint or collapse",
    ),
    "general.jaw_pain_chewing": (
        "Does your jaw or tongue hurt when you chew?",
        "your jaw hurts when you chew",
    ),
    "general.muscle_pain_weakness": (
        "Are your muscles painful, tender or weak (not just around a joint)?",
        "your muscles are painful or weak",
    ),
    "general.new_headache": (
        "Do you have a new headache, or a tender scalp or temples?",
        "you have a new headache or tender temples",
    ),
    "general.dark_urine": (
        "Is your urine dark brown, like tea or cola?",
        "your urine turns dark brown",
    ),
    "general.very_unwell": (
        "Do you feel very unwell: confused, drowsy, very cold and shivery, with blotchy or blue "
        "skin, or hardly passing urine?",
        "you feel very unwell, confused or drowsy",
    ),
    "history.bedridden_3_days": (
        "Have you been in bed for 3 days or more recently?",
        "you have been in bed for 3 days or more",
    ),
    "history.cancer_active": (
        "Are you being treated for cancer, or were you in the last 6 months?",
        "you have active cancer",
    ),
    "history.cancer_history": ("Have you ever had cancer?", "you have had cancer"),
    "history.diabetes": ("Do you have diabetes?", "you have diabetes"),
    "history.heart_valve_disease": (
        "Do you have a heart valve problem or an artificial heart valve, or have you had "
        "endocarditis?",
        "you have a heart valve problem",
    ),
    "history.hormones": (
        "Do you take the combined contraceptive pill or HRT?",
        "you take the combined pill or HRT",
    ),
    "history.immunosuppression": (
        "Is your immune system weakened (medicines, HIV, chemotherapy)?",
        "your immune system is weakened",
    ),
    "history.iv_drug_use": ("Do you inject drugs?", "you inject drugs"),
    "history.leg_immobilised": (
        "Has the leg been in plaster, or weak or paralysed, recently?",
        "the leg has been in plaster or paralysed",
    ),
    "history.long_lie": (
        "After a fall, did you lie on the floor for hours?",
        "you lay on the floor for hours after a fall",
    ),
    "history.long_travel_4_weeks": (
        "Have you made a journey of 4 hours or more in the last 4 weeks?",
        "you made a long journey recently",
    ),
    "history.previous_dvt": (
        "Have you had a blood clot in a leg before?",
        "you have had a leg clot before",
    ),
    "history.previous_gout": ("Have you been told you have gout?", "you have had gout"),
    "history.prosthetic_joint": (
        "Is the painful joint a replaced (artificial) joint?",
        "the painful joint is an artificial joint",
    ),
    "history.recent_surgery_12_weeks": (
        "Have you had an operation in the last 12 weeks?",
        "you had an operation in the last 12 weeks",
    ),
    "history.rheumatoid_arthritis": (
        "Do you have rheumatoid arthritis?",
        "you have rheumatoid arthritis",
    ),
    "history.sickle_cell_disease": (
        "Do you have sickle cell disease?",
        "you have sickle cell disease",
    ),
    "history.smoker": ("Do you smoke, or did you in the last year?", "you smoke"),
    "history.statin": (
        "Do you take a statin (a cholesterol medicine)?",
        "you take a statin",
    ),
    "history.strenuous_exercise": (
        "Have you done unusually hard exercise in the last few days?",
        "you did unusually hard exercise recently",
    ),
    "history.surgery_on_this_leg_6_weeks": (
        "Have you had an operation on this leg in the last 6 weeks?",
        "you had an operation on this leg in the last 6 weeks",
    ),
    "neuro.bilateral_leg_symptoms": (
        "Is the pain, numbness or weakness in both legs?",
        "it spreads to both legs",
    ),
    "neuro.bladder_or_bowel_dysfunction": (
        "Any new trouble passing or holding urine or stool?",
        "you have new trouble passing or holding urine or stool",
    ),
    "neuro.face_drooping": (
        "Is one side of your face drooping?",
        "one side of your face droops",
    ),
    "neuro.foot_drop": (
        "Does the foot drop or slap, so your toes catch?",
        "your foot drops or your toes catch",
    ),
    "neuro.new_leg_weakness": ("Is the leg or foot newly weak?", "the leg or foot becomes weak"),
    "neuro.saddle_numbness": (
        "Is there numbness around your bottom or genitals?",
        "you feel numb around your bottom or genitals",
    ),
    "neuro.sexual_dysfunction": (
        "Any new problem with sexual function?",
        "you have a new problem with sexual function",
    ),
    "neuro.speech_difficulty": (
        "Is your speech suddenly slurred, or are words hard to find?",
        "your speech becomes slurred or confused",
    ),
    "neuro.sudden_one_side_weakness": (
        "Is one side of your body (face, arm or leg) suddenly weak or numb?",
        "one side of your body becomes weak or numb",
    ),
    "neuro.sudden_vision_or_balance_loss": (
        "Have you suddenly lost vision or balance?",
        "you suddenly lose vision or balance",
    ),
    "neuro.worsening_deficit": (
        "Is the weakness or numbness getting worse?",
        "the weakness or numbness gets worse",
    ),
    "pain.first_mtp": (
        "Is the joint at the base of the big toe painful?",
        "the base of the big toe is painful",
    ),
    "pain.night_pain": ("Is the pain there at night or at rest?", "the pain is there at night"),
    "pain.numbness": ("Is the painful area numb?", "the painful area is numb"),
    "pain.out_of_proportion": (
        "Is the pain much worse than the injury would explain?",
        "the pain is much worse than the injury would explain",
    ),
    "pain.radiation_from_back": (
        "Does the leg pain come from your lower back?",
        "the pain comes from the lower back",
    ),
    "pain.tingling": ("Does the painful area tingle?", "the painful area tingles"),
    "signs.calf_pain": (
        "Is the calf of one leg painful, tender, tight or warm?",
        "one calf is painful, tender or warm",
    ),
    "signs.deformity": ("Does the leg or joint look deformed?", "the leg or joint looks deformed"),
    "signs.fever": (
        "Do you have a fever, or feel hot and shivery?",
        "you have a fever or feel hot and shivery",
    ),
    "signs.hard_mass": ("Is there a hard lump near the bone or joint?", "there is a hard lump"),
    "signs.instability": (
        "Does the knee or ankle give way?",
        "the knee or ankle gives way",
    ),
    "signs.redness": ("Is the skin over the joint red?", "the skin over the joint is red"),
    "signs.shoulder_hip_girdle_stiffness": (
        "Are both shoulders or both hips aching and stiff, worst in the morning?",
        "both shoulders or hips are aching and stiff",
    ),
    "signs.swelling": ("Is the painful joint swollen?", "the joint is swollen"),
    "signs.swelling_sudden_severe": (
        "Did it swell badly within a few hours?",
        "it swelled badly within hours",
    ),
    "signs.unexplained_weight_loss": (
        "Have you lost weight without trying?",
        "you have lost weight without trying",
    ),
    "signs.warmth": ("Is the joint warm or hot?", "the joint is warm or hot"),
    "skin.broken_skin": (
        "Is there a cut, bite, blister, crack between the toes or an ulcer on the leg or foot?",
        "there is broken skin on the leg or foot",
    ),
    "skin.redness_spreading": (
        "Is there a red (or darker), hot, painful patch of skin that is spreading?",
        "a red, hot patch of skin is spreading",
    ),
    "skin.skin_turning_black": (
        "Is the skin of the toes or foot turning black?",
        "the skin of the toes or foot turns black",
    ),
    "skin.spreading_fast": (
        "Is the redness or swelling spreading within hours?",
        "the redness spreads within hours",
    ),
    "skin.ulcer_not_healing": (
        "Is there a wound or ulcer on the foot or leg that is not healing?",
        "a wound on the foot or leg is not healing",
    ),
    "skin.wound_problem": (
        "Is an operation wound on the leg red, hot, leaking or opening?",
        "the operation wound is red, hot, leaking or opening",
    ),
    "trauma.dislocation_suspected": (
        "Does the joint look or feel out of place (dislocated)?",
        "the joint looks out of place",
    ),
    "trauma.in_cast_or_tight_dressing": (
        "Is the leg in a cast or a tight bandage?",
        "the leg is in a cast or tight bandage",
    ),
    "trauma.injury": ("Did the pain start with an injury?", "it started with an injury"),
    "trauma.pop_or_snap": (
        "Did you hear or feel a pop or snap, or feel as if kicked, when it happened?",
        "you heard a pop or snap, or felt as if kicked",
    ),
    "function.can_stand_on_tiptoe": (
        "Can you stand on tiptoe on the painful leg alone?",
        "you can stand on tiptoe on that leg",
    ),
    "trauma.open_wound_over_injury": (
        "Is there an open wound over the injured bone?",
        "there is an open wound over the injury",
    ),
    "vascular.claudication": (
        "Does the leg hurt when you walk, and stop within minutes when you rest?",
        "the leg hurts on walking and eases with rest",
    ),
    "vascular.foot_cold_or_pale": (
        "Is the foot cold, pale or blue?",
        "the foot is cold, pale or blue",
    ),
    "vascular.foot_pulses_absent": (
        "On examination, are the foot pulses absent?",
        "the foot pulses are absent",
    ),
    "vascular.pain_on_passive_stretch": (
        "On examination, does stretching the muscles of the leg hurt?",
        "stretching the leg muscles hurts",
    ),
    "vascular.compartment_tense": (
        "On examination, is a muscle compartment tense and hard?",
        "a muscle compartment is tense",
    ),
    "vascular.rest_pain_foot": (
        "Does the foot hurt at rest or at night, easing when you hang the leg down?",
        "the foot hurts at rest",
    ),
}


def question(field: str) -> str | None:
    """The plain question for ``field``, or None when there is none."""
    entry = QUESTIONS.get(field)
    return entry[0] if entry else None


def condition(field: str) -> str | None:
    """The answer "yes" to ``field`` as a plain condition, or None when there is none."""
    entry = QUESTIONS.get(field)
    return entry[1] if entry else None


#: How soon a suggested test is needed (``SuggestedTest.priority``), in words a person reads.
TEST_WHEN: dict[str, str] = {
    "now": "now",
    "same_day": "today",
    "soon": "within days",
    "routine": "routine",
    "if_needed": "only if needed",
}

// Package directoryseed holds seed data for the partner directory (sociale
// kaart): a fictional directory of one region, Limburg, to develop, demo and
// test against.
//
// Everything in it is invented: the organisations, their names, the
// municipality Zonderbeek, the people and their e-mail addresses (all at
// example.be). Any likeness to a real organisation or person is chance.
package directoryseed

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rots-vlaanderen/roundtable/internal/directory"
	"github.com/rots-vlaanderen/roundtable/internal/store"
	"github.com/rots-vlaanderen/roundtable/internal/vocab"
)

// seedNamespace makes the seeded IDs the same on every machine, so that a
// seeded resource name like organisations/… can be written down in a demo.
var seedNamespace = uuid.MustParse("5b0c7f0e-3a51-4f55-9a55-0d1c2b7e6a10")

type seedOrg struct {
	key      string
	name     string
	kind     string
	regions  []string
	contacts []directory.OrganisationContact
	offers   []seedOffer
}

type seedOffer struct {
	key          string
	name         string
	description  string
	ageBand      string
	levels       []string
	themes       []string
	capacity     *int
	waitingWeeks *int
	howToReach   string
}

func n(i int) *int { return &i }

func contact(name, role, email string) directory.OrganisationContact {
	return directory.OrganisationContact{Name: name, Role: role, Email: email}
}

// limburg is the seed: thirteen organisations and twenty-seven offers.
var limburg = []seedOrg{
	{
		key: "clb-kempen-maasland", name: "CLB Kempen-Maasland", kind: "CLB", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Sofie Vanderheyden", "trajectbegeleider", "sofie.vanderheyden@example.be"),
			contact("Wim Claesen", "directeur", "wim.claesen@example.be"),
		},
		offers: []seedOffer{
			{
				key: "clb-kempen-trajectbegeleiding", name: "Trajectbegeleiding bij spijbelen en thuiszitten",
				description: "Een CLB-medewerker begeleidt leerlingen die vaak afwezig zijn of thuiszitten, samen met de ouders en de school. " +
					"We zoeken de oorzaken van het schoolverzuim en maken een haalbaar plan om terug naar school te gaan.",
				ageBand: "ALL", levels: []string{"LAGER", "SECUNDAIR"}, themes: []string{"ABSENCE", "FAMILY_CONTEXT"},
				waitingWeeks: n(2), howToReach: "Via de leerlingenbegeleiding van de school of rechtstreeks bij het onthaal van het CLB.",
			},
			{
				key: "clb-kempen-diagnostiek", name: "Diagnostiek van leerstoornissen en leerachterstand",
				description: "Onderzoek naar lees-, spelling- en rekenproblemen bij kinderen in het lager onderwijs, met advies aan school en ouders over " +
					"redelijke aanpassingen. Er is momenteel een wachtlijst van ongeveer zes weken.",
				ageBand: "UNDER_12", levels: []string{"LAGER"}, themes: []string{"LEARNING_DELAY"},
				waitingWeeks: n(6), howToReach: "Aanvraag door de zorgcoördinator van de school.",
			},
		},
	},
	{
		key: "clb-haspengouw-zuid", name: "CLB Haspengouw-Zuid", kind: "CLB", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Nathalie Bosmans", "psychopedagogisch consulent", "nathalie.bosmans@example.be"),
		},
		offers: []seedOffer{
			{
				key: "clb-haspengouw-onthaal", name: "Onthaal en kortdurende begeleiding voor jongeren",
				description: "Laagdrempelige gesprekken voor jongeren die vastlopen op school door stress, somberheid of conflicten. " +
					"Na hoogstens vijf gesprekken volgt, als het nodig is, een warme doorverwijzing naar gespecialiseerde hulp.",
				ageBand: "TWELVE_AND_OVER", levels: []string{"SECUNDAIR", "BUITENGEWOON_SECUNDAIR"}, themes: []string{"MENTAL_HEALTH", "BEHAVIOUR"},
				waitingWeeks: n(1), howToReach: "Jongeren mailen of chatten zelf met het CLB; ook ouders en leerkrachten kunnen aanmelden.",
			},
			{
				key: "clb-haspengouw-nieuwkomers", name: "Begeleiding van anderstalige nieuwkomers",
				description: "Ondersteuning van anderstalige nieuwkomers en hun ouders bij de overstap van het onthaalonderwijs naar het gewone onderwijs, " +
					"met aandacht voor taal, schoolkeuze en welbevinden.",
				ageBand: "ALL", themes: []string{"LANGUAGE"},
				howToReach: "Via de school waar het kind is ingeschreven.",
			},
		},
	},
	{
		key: "campus-heidewinde", name: "Campus Heidewinde", kind: "SCHOOL", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Koen Peeters", "coördinator leerlingenbegeleiding", "koen.peeters@example.be"),
			contact("Leen Thijs", "directeur", "leen.thijs@example.be"),
		},
		offers: []seedOffer{
			{
				key: "heidewinde-timeoutlokaal", name: "Schoolintern time-outlokaal",
				description: "Leerlingen met gedragsproblemen kunnen tijdelijk in een rustig lokaal terecht, begeleid door een leerlingbegeleider. " +
					"Samen werken ze aan een plan om zo snel mogelijk terug in de klas aan te sluiten.",
				ageBand: "TWELVE_AND_OVER", levels: []string{"SECUNDAIR"}, themes: []string{"BEHAVIOUR"},
				capacity: n(8), howToReach: "Alleen voor eigen leerlingen, via de cel leerlingenbegeleiding.",
			},
			{
				key: "heidewinde-flexibel-rooster", name: "Flexibel leertraject met deeltijds rooster",
				description: "Voor leerlingen die na een lange afwezigheid geleidelijk terugkeren: een aangepast lesrooster, een vaste vertrouwenspersoon " +
					"en wekelijks overleg met ouders en CLB.",
				ageBand: "TWELVE_AND_OVER", levels: []string{"SECUNDAIR"}, themes: []string{"ABSENCE", "MENTAL_HEALTH"},
				capacity: n(5), howToReach: "In overleg met de school en het CLB van de leerling.",
			},
		},
	},
	{
		key: "bs-de-vlinderboom", name: "Basisschool De Vlinderboom", kind: "SCHOOL", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Ilse Moors", "zorgcoördinator", "ilse.moors@example.be"),
		},
		offers: []seedOffer{
			{
				key: "vlinderboom-taalbad", name: "Zorgklas met taalbad",
				description: "Een kleine groep met extra taalondersteuning voor kinderen die het Nederlands nog onvoldoende beheersen, " +
					"zodat ze de lessen in hun eigen klas weer kunnen volgen.",
				ageBand: "UNDER_12", levels: []string{"KLEUTER", "LAGER"}, themes: []string{"LANGUAGE", "LEARNING_DELAY"},
				capacity: n(10), howToReach: "Voor leerlingen van de school en van scholen in de scholengemeenschap, via de zorgcoördinator.",
			},
			{
				key: "vlinderboom-ouderpunt", name: "Ouderpunt met koffiemomenten",
				description: "Elke vrijdagochtend een open koffiemoment waar ouders elkaar en de leerkrachten leren kennen, " +
					"met een tolk wanneer dat nodig is en informatie over opvoeding en schoolkosten.",
				ageBand: "UNDER_12", levels: []string{"KLEUTER", "LAGER"}, themes: []string{"FAMILY_CONTEXT"},
				howToReach: "Vrij toegankelijk voor ouders van de school.",
			},
		},
	},
	{
		key: "bo-de-kiemkracht", name: "Buitengewoon Onderwijs De Kiemkracht", kind: "SCHOOL", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Tom Vanhoudt", "directeur", "tom.vanhoudt@example.be"),
			contact("Griet Lenaerts", "orthopedagoog", "griet.lenaerts@example.be"),
		},
		offers: []seedOffer{
			{
				key: "kiemkracht-observatie", name: "Observatieplaatsen in het buitengewoon onderwijs (type 3)",
				description: "Tijdelijke observatieplaatsen voor kinderen en jongeren met ernstige emotionele of gedragsproblemen, " +
					"om samen met de ouders de passende school te zoeken. Er is een wachtlijst.",
				ageBand: "ALL", levels: []string{"BUITENGEWOON_LAGER", "BUITENGEWOON_SECUNDAIR"}, themes: []string{"BEHAVIOUR", "MENTAL_HEALTH"},
				capacity: n(4), waitingWeeks: n(10), howToReach: "Met een verslag van het CLB.",
			},
		},
	},
	{
		key: "jeugdhulp-maasvallei", name: "Jeugdhulp Maasvallei vzw", kind: "YOUTH_CARE_PROVIDER", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Bart Wouters", "teamverantwoordelijke", "bart.wouters@example.be"),
			contact("Eline Jacobs", "aanmeldingsverantwoordelijke", "eline.jacobs@example.be"),
		},
		offers: []seedOffer{
			{
				key: "maasvallei-contextbegeleiding", name: "Contextbegeleiding aan huis",
				description: "Een begeleider komt wekelijks bij het gezin thuis om ouders te versterken in de opvoeding en om samen met de school " +
					"het schoolverzuim aan te pakken. De wachtlijst bedraagt momenteel ongeveer drie maanden.",
				ageBand: "ALL", themes: []string{"FAMILY_CONTEXT", "ABSENCE"},
				waitingWeeks: n(12), howToReach: "Niet rechtstreeks toegankelijk: aanmelding via de Intersectorale Toegangspoort.",
			},
			{
				key: "maasvallei-crisis", name: "Crisisbegeleiding voor jongeren en hun gezin",
				description: "Kortdurende crisisinterventie wanneer het thuis of op school escaleert, binnen de week opgestart. " +
					"Ook bedoeld als overbrugging van wachtlijsten in de jeugdhulp.",
				ageBand: "TWELVE_AND_OVER", themes: []string{"FAMILY_CONTEXT", "BEHAVIOUR", "WAITING_LIST_YOUTH_CARE"},
				capacity: n(5), waitingWeeks: n(0), howToReach: "Via het crisismeldpunt minderjarigen; het CLB kan rechtstreeks melden.",
			},
			{
				key: "maasvallei-dagbesteding", name: "Dagbesteding voor kinderen die niet naar school gaan",
				description: "Een dagaanbod in kleine groep voor kinderen die tijdelijk geen school hebben, met spel, leren en een stapsgewijze " +
					"voorbereiding op een nieuwe school.",
				ageBand: "UNDER_12", levels: []string{"LAGER", "BUITENGEWOON_LAGER"}, themes: []string{"ABSENCE", "NO_FITTING_SCHOOL_EXTERNAL_OFFER"},
				capacity: n(6), waitingWeeks: n(8), howToReach: "Niet rechtstreeks toegankelijk: aanmelding via de Intersectorale Toegangspoort.",
			},
		},
	},
	{
		key: "kompasroos", name: "Kompasroos, centrum voor kind en gezin", kind: "YOUTH_CARE_PROVIDER", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Hanne Geerts", "mobiel begeleider", "hanne.geerts@example.be"),
		},
		offers: []seedOffer{
			{
				key: "kompasroos-mobiel", name: "Mobiele begeleiding op school",
				description: "Een begeleider komt in de klas en op de speelplaats om leerkrachten en kinderen te helpen met moeilijk gedrag " +
					"of een grote leerachterstand, en zoekt samen met het team naar een aanpak die werkt.",
				ageBand: "UNDER_12", levels: []string{"LAGER", "BUITENGEWOON_LAGER"}, themes: []string{"BEHAVIOUR", "LEARNING_DELAY"},
				waitingWeeks: n(4), howToReach: "Rechtstreeks toegankelijk: de school of het CLB meldt aan.",
			},
			{
				key: "kompasroos-overbrugging", name: "Overbruggingsaanbod tijdens de wachttijd",
				description: "Voor gezinnen op een wachtlijst voor niet rechtstreeks toegankelijke jeugdhulp: maandelijkse contacten, " +
					"een vast aanspreekpunt en hulp wanneer de situatie verslechtert.",
				ageBand: "ALL", themes: []string{"WAITING_LIST_YOUTH_CARE"},
				waitingWeeks: n(1), howToReach: "Aanmelding door het CLB of de consulent van de toegangspoort.",
			},
		},
	},
	{
		key: "cgg-lichtpunt", name: "CGG Lichtpunt", kind: "YOUTH_CARE_PROVIDER", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Dries Smeets", "kinderpsychiater", "dries.smeets@example.be"),
			contact("Annelies Reynders", "onthaalmedewerker", "annelies.reynders@example.be"),
		},
		offers: []seedOffer{
			{
				key: "lichtpunt-psychotherapie", name: "Psychotherapie voor kinderen en jongeren",
				description: "Individuele therapie en gezinsgesprekken bij angst, depressie, trauma of een eetstoornis. " +
					"Voor nieuwe aanmeldingen geldt een wachtlijst van ongeveer vier maanden.",
				ageBand: "ALL", themes: []string{"MENTAL_HEALTH"},
				waitingWeeks: n(16), howToReach: "Aanmelding door ouders, huisarts of CLB via het onthaal van het centrum.",
			},
			{
				key: "lichtpunt-schoolweigering", name: "Groepswerking bij angst en schoolweigering",
				description: "Jongeren die uit angst niet meer naar school gaan leren in een groep van acht tot tien deelnemers " +
					"hun angst de baas te worden, met een oudergroep ernaast.",
				ageBand: "TWELVE_AND_OVER", levels: []string{"SECUNDAIR"}, themes: []string{"MENTAL_HEALTH", "ABSENCE"},
				capacity: n(10), waitingWeeks: n(5), howToReach: "Na een intakegesprek in het centrum.",
			},
		},
	},
	{
		key: "time-out-omweg", name: "Time-out vzw Omweg", kind: "SCHOOL_EXTERNAL_PROGRAMME", regions: []string{vocab.RegionLimburg, vocab.RegionAntwerpen},
		contacts: []directory.OrganisationContact{
			contact("Yasmina El Idrissi", "coördinator", "yasmina.elidrissi@example.be"),
			contact("Pieter Vranken", "trajectbegeleider", "pieter.vranken@example.be"),
		},
		offers: []seedOffer{
			{
				key: "omweg-kort", name: "Kort time-outtraject van twee weken",
				description: "Een schoolextern traject van twee weken voor jongeren die op school dreigen vast te lopen door hun gedrag, " +
					"afgesloten met een herstelgesprek op school.",
				ageBand: "TWELVE_AND_OVER", levels: []string{"SECUNDAIR"}, themes: []string{"BEHAVIOUR", "NO_FITTING_SCHOOL_EXTERNAL_OFFER"},
				capacity: n(12), waitingWeeks: n(3), howToReach: "Aanmelding door de school samen met het CLB.",
			},
			{
				key: "omweg-lang", name: "Lang time-outtraject met terugkeer naar school",
				description: "Een traject van zes tot twaalf weken buiten de school, met individuele begeleiding, groepswerk en een " +
					"begeleide terugkeer naar de eigen of een nieuwe school.",
				ageBand: "TWELVE_AND_OVER", levels: []string{"SECUNDAIR", "BUITENGEWOON_SECUNDAIR"}, themes: []string{"BEHAVIOUR", "ABSENCE"},
				capacity: n(8), waitingWeeks: n(6), howToReach: "Aanmelding door de school samen met het CLB.",
			},
			{
				key: "omweg-lager", name: "Time-out voor kinderen in het lager onderwijs",
				description: "Een aangepast time-outaanbod voor kinderen van de lagere school: enkele dagen per week in een kleine groep, " +
					"met begeleiding van de leerkracht in de eigen klas.",
				ageBand: "UNDER_12", levels: []string{"LAGER", "BUITENGEWOON_LAGER"}, themes: []string{"BEHAVIOUR"},
				capacity: n(6), waitingWeeks: n(4), howToReach: "Aanmelding door de school samen met het CLB.",
			},
		},
	},
	{
		key: "trajectwerking-ankerpunt", name: "Trajectwerking Ankerpunt", kind: "SCHOOL_EXTERNAL_PROGRAMME", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Jens Vandeweyer", "trajectbegeleider", "jens.vandeweyer@example.be"),
		},
		offers: []seedOffer{
			{
				key: "ankerpunt-naft", name: "Naadloos flexibel traject na uitsluiting",
				description: "Voor jongeren die na een definitieve uitsluiting of langdurig spijbelen nergens terechtkunnen: individuele " +
					"begeleiding, stages en een zoektocht naar een school die past, zonder dat de jongere thuis blijft zitten.",
				ageBand: "TWELVE_AND_OVER", levels: []string{"SECUNDAIR", "BUITENGEWOON_SECUNDAIR"},
				themes:   []string{"ABSENCE", "BEHAVIOUR", "NO_FITTING_SCHOOL_EXTERNAL_OFFER"},
				capacity: n(15), waitingWeeks: n(2), howToReach: "Aanmelding door het CLB.",
			},
			{
				key: "ankerpunt-spijbelproject", name: "Spijbelproject met herstelgericht groepsoverleg",
				description: "Een herstelgericht groepsoverleg met de jongere, de ouders en de school na herhaald spijbelen, " +
					"met afspraken die de trajectbegeleider twee maanden lang opvolgt.",
				ageBand: "TWELVE_AND_OVER", levels: []string{"SECUNDAIR"}, themes: []string{"ABSENCE"},
				waitingWeeks: n(3), howToReach: "Aanmelding door de school of het CLB.",
			},
		},
	},
	{
		key: "sociaal-huis-zonderbeek", name: "Sociaal Huis Zonderbeek (OCMW)", kind: "WELFARE", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Marleen Schepers", "maatschappelijk werker", "marleen.schepers@example.be"),
		},
		offers: []seedOffer{
			{
				key: "zonderbeek-budget", name: "Budgetbegeleiding en hulp bij schoolkosten",
				description: "Het OCMW ondersteunt gezinnen met schulden of moeite om schoolfacturen, maaltijden en uitstappen te betalen, " +
					"zodat geld geen reden wordt om een kind thuis te houden.",
				ageBand: "ALL", themes: []string{"FAMILY_CONTEXT", "OTHER"},
				waitingWeeks: n(2), howToReach: "Afspraak bij het onthaal van het Sociaal Huis; de school of het CLB kan mee aanmelden.",
			},
			{
				key: "zonderbeek-brugfiguur", name: "Brugfiguur tussen gezin en school",
				description: "Een brugfiguur helpt ouders die de schooltaal niet spreken of de school moeilijk vinden om in gesprek te gaan " +
					"met leerkrachten, en volgt kinderen op die vaak afwezig zijn.",
				ageBand: "UNDER_12", levels: []string{"KLEUTER", "LAGER"}, themes: []string{"FAMILY_CONTEXT", "LANGUAGE", "ABSENCE"},
				howToReach: "Via de directie van de basisschool.",
			},
		},
	},
	{
		key: "gemeente-zonderbeek", name: "Gemeente Zonderbeek, dienst Onderwijs en Jeugd", kind: "MUNICIPALITY", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Stijn Daems", "beleidsmedewerker onderwijs", "stijn.daems@example.be"),
		},
		offers: []seedOffer{
			{
				key: "zonderbeek-lokaal-overleg", name: "Lokaal overleg kinderarmoede en schoolverzuim",
				description: "De gemeente brengt scholen, CLB, OCMW en jeugdwerk elk trimester samen om kinderen en jongeren die uit de boot " +
					"dreigen te vallen vroeg op te merken en de hulp af te stemmen.",
				ageBand: "ALL", themes: []string{"ABSENCE", "FAMILY_CONTEXT"},
				howToReach: "Scholen en diensten melden een zorg aan bij de dienst Onderwijs en Jeugd.",
			},
			{
				key: "zonderbeek-vrijetijdspas", name: "Vrijetijdspas voor kinderen en jongeren",
				description: "Korting op sport, muziekschool, jeugdbeweging en kampen voor gezinnen met een beperkt inkomen, " +
					"zodat ook hun kinderen na school mee kunnen doen.",
				ageBand: "ALL", themes: []string{"OTHER"},
				howToReach: "Aanvragen aan het loket van de gemeente of het Sociaal Huis.",
			},
		},
	},
	{
		key: "straatwaarts", name: "Straatwaarts vzw", kind: "OTHER", regions: []string{vocab.RegionLimburg},
		contacts: []directory.OrganisationContact{
			contact("Mehmet Yilmaz", "jongerenwerker", "mehmet.yilmaz@example.be"),
			contact("Lotte Bollen", "straathoekwerker", "lotte.bollen@example.be"),
		},
		offers: []seedOffer{
			{
				key: "straatwaarts-huiswerk", name: "Huiswerkbegeleiding en studieplek",
				description: "Elke weekdag na school een rustige studieplek met vrijwilligers die helpen bij huiswerk, taal en plannen. " +
					"Ook jongeren die tijdelijk geen school hebben zijn welkom.",
				ageBand: "ALL", levels: []string{"LAGER", "SECUNDAIR"}, themes: []string{"LEARNING_DELAY", "LANGUAGE"},
				capacity: n(30), waitingWeeks: n(0), howToReach: "Vrij binnenlopen; inschrijven ter plaatse.",
			},
			{
				key: "straatwaarts-straathoekwerk", name: "Straathoekwerk voor jongeren die uit de boot vallen",
				description: "Straathoekwerkers leggen contact met jongeren die niet meer naar school gaan en bouwen aan vertrouwen, " +
					"zodat de jongere opnieuw de stap naar school of hulpverlening zet.",
				ageBand: "TWELVE_AND_OVER", themes: []string{"ABSENCE", "BEHAVIOUR", "OTHER"},
				howToReach: "Jongeren spreken de straathoekwerkers zelf aan; diensten kunnen een jongere signaleren.",
			},
		},
	},
}

// RequestIDPrefix starts the request IDs of everything the seed creates.
const RequestIDPrefix = "seed-limburg-"

// Seed adds the fictional Limburg directory to db. It is idempotent: every
// organisation and offer has a fixed request ID (and a fixed ID), so seeding
// again creates nothing and leaves entries changed since as they are. It
// returns how many organisations and offers it created.
func Seed(ctx context.Context, db *store.DB) (created int, err error) {
	dir := directory.New(db)
	now := time.Now()
	for _, so := range limburg {
		o, c, err := dir.CreateOrganisation(ctx, &directory.Organisation{
			ID:        uuid.NewSHA1(seedNamespace, []byte("organisation/"+so.key)).String(),
			RequestID: RequestIDPrefix + "org-" + so.key,
			Name:      so.name, Kind: so.kind, Regions: so.regions, Contacts: so.contacts,
			CreatedAt: now,
		})
		if err != nil {
			return created, fmt.Errorf("directoryseed.Seed %s: %w", so.key, err)
		}
		if c {
			created++
		}
		for _, sf := range so.offers {
			_, c, err := dir.CreateOffer(ctx, &directory.Offer{
				ID:             uuid.NewSHA1(seedNamespace, []byte("offer/"+sf.key)).String(),
				OrganisationID: o.ID,
				RequestID:      RequestIDPrefix + "offer-" + sf.key,
				Name:           sf.name, Description: sf.description, AgeBand: sf.ageBand,
				SchoolLevels: sf.levels, Themes: sf.themes, Capacity: sf.capacity, WaitingWeeks: sf.waitingWeeks,
				HowToReach: sf.howToReach, CreatedAt: now,
			})
			if err != nil {
				return created, fmt.Errorf("directoryseed.Seed %s: %w", sf.key, err)
			}
			if c {
				created++
			}
		}
	}
	return created, nil
}

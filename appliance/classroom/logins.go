package classroom

import (
	"context"
	"html/template"
	"net/http"
	"strconv"

	"preau/appliance/auth"
	"preau/appliance/web"
)

// picture is one picture of the picture-password grid.
type picture struct {
	Index int
	Key   string // named by the template's pictureName, in the reader's language
}

func allPictures() []picture {
	out := make([]picture, len(auth.Pictures))
	for i, p := range auth.Pictures {
		out[i] = picture{i, p.Key}
	}
	return out
}

func picturesOf(seq []int) []picture {
	all := allPictures()
	out := make([]picture, len(seq))
	for i, n := range seq {
		out[i] = all[n]
	}
	return out
}

// chosenSequence reads the pictures a teacher picked (fields image1..imageN);
// a form that names none asks for a random sequence. Anything unreadable
// becomes -1, which SetPicture refuses with a clear message.
func chosenSequence(r *http.Request) []int {
	seq := make([]int, auth.PictureLength)
	named := false
	for i := range seq {
		v := r.PostFormValue("image" + strconv.Itoa(i+1))
		named = named || v != ""
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		seq[i] = n
	}
	if !named {
		return auth.RandomSequence()
	}
	return seq
}

// noStore keeps pages that show secrets out of every cache: the back button
// must not bring a card or a picture password back once the page is closed.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

func (h *handlers) newPictures(w http.ResponseWriter, r *http.Request) {
	c, p, ok := h.classPupil(w, r)
	if !ok {
		return
	}
	seq := chosenSequence(r)
	if err := h.Auth.SetPicture(r.Context(), p.ID, seq); err != nil {
		if status := web.ErrStatus(err); status == http.StatusBadRequest {
			h.renderClass(w, r, c, status, p.ID, web.T(r, "classroom.pupil_error", "Name", p.DisplayName, "Error", web.ErrText(r, err)))
			return
		}
		h.Fail(w, r, err)
		return
	}
	noStore(w)
	h.Render(w, r, "classroom/pictures", web.T(r, "classroom.pictures_of", "Name", p.DisplayName),
		map[string]any{"Class": c, "Pupil": p, "Pictures": picturesOf(seq)})
}

// card is one printed login card.
type card struct {
	Pupil    auth.User
	QR       template.URL
	Code     string    // the secret, printed small for a scanner or for typing at /connexion/carte
	Pictures []picture // the new picture password, when it was regenerated with the card
}

// cardsData is the printable page of cards.
type cardsData struct {
	Class    auth.Class
	School   auth.School
	Cards    []card
	Pictures bool // picture passwords were regenerated too
	Skipped  int  // disabled accounts, which get no card
}

// issue gives a pupil a new card, and a new random picture password when
// pictures is set; the previous card (and pictures) stop working at once.
// The card comes first: if the pictures then fail, the card returned is
// still valid and the old pictures still work.
func (h *handlers) issue(ctx context.Context, p auth.User, base string, pictures bool) (card, error) {
	cd := card{Pupil: p}
	secret, err := h.Auth.NewCard(ctx, p.ID)
	if err != nil {
		return cd, err
	}
	cd.Code = secret
	if cd.QR, err = web.QRImage(cardURL(base, secret)); err != nil {
		return cd, err
	}
	if pictures {
		seq := auth.RandomSequence()
		if err := h.Auth.SetPicture(ctx, p.ID, seq); err != nil {
			return cd, err
		}
		cd.Pictures = picturesOf(seq)
	}
	return cd, nil
}

func (h *handlers) newCard(w http.ResponseWriter, r *http.Request) {
	c, p, ok := h.classPupil(w, r)
	if !ok {
		return
	}
	d, err := h.cardsData(r.Context(), c)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	cd, err := h.issue(r.Context(), p, web.BaseURL(r, h.Config.PublicURL), false)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d.Cards = []card{cd}
	noStore(w)
	h.Render(w, r, "classroom/cards", web.T(r, "classroom.card_of", "Name", p.DisplayName), d)
}

func (h *handlers) cardsData(ctx context.Context, c auth.Class) (cardsData, error) {
	school, err := h.Register.School(ctx, c.SchoolID)
	return cardsData{Class: c, School: school}, err
}

// newCards issues a card to every active pupil of the class. The cards are
// written one by one: if one fails, the page still shows those already
// issued, since their secrets cannot be shown again.
func (h *handlers) newCards(w http.ResponseWriter, r *http.Request) {
	c, ok := h.class(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	d, err := h.cardsData(ctx, c)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pupils, err := h.Register.ClassPupils(ctx, c.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d.Pictures = r.PostFormValue("images") != ""
	base := web.BaseURL(r, h.Config.PublicURL)
	noStore(w)
	for _, p := range pupils {
		if p.Disabled {
			d.Skipped++
			continue
		}
		cd, err := h.issue(ctx, p, base, d.Pictures)
		if cd.QR != "" {
			d.Cards = append(d.Cards, cd)
		}
		if err != nil {
			h.Log.Error("class cards", "class", c.ID, "pupil", p.ID, "err", err)
			h.RenderStatus(w, r, http.StatusInternalServerError, "classroom/cards", web.T(r, "classroom.cards.of_class", "Name", c.Name), d,
				web.T(r, "classroom.cards.stopped", "Name", p.DisplayName))
			return
		}
	}
	h.Render(w, r, "classroom/cards", web.T(r, "classroom.cards.of_class", "Name", c.Name), d)
}
